"""Geometry of the dashboard's charts, computed in Python; templates/reports/_charts.html draws it as SVG.

No chart library and no JavaScript: the server sends finished inline SVG, which works offline on a
government intranet and prints well.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field


def percent(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"


@dataclass
class Tick:
    pos: float
    label: str


@dataclass
class Point:
    x: float
    y: float
    label: str
    value: str
    meets: bool


@dataclass
class LineChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    points: list[Point]
    segments: list[str]  # polyline point lists; a month without tickets breaks the line
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    target_y: float
    target_label: str

    @property
    def empty(self) -> bool:
        return not self.points


def _y_floor(values: list[float], target: float) -> float:
    """The bottom of the rate axis: a round 10% step below the lowest value, so 95–100% is readable."""
    lowest = min([*values, target])
    return max(0.0, math.floor((lowest - 0.02) * 10) / 10)


def line_chart(
    series: list[tuple[str, float | None]],
    target: float,
    *,
    width: int = 640,
    height: int = 240,
) -> LineChart:
    """A rate over time (e.g. the monthly completion rate) against the target line."""
    left, right, top, bottom = 44, 20, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _label, v in series if v is not None]
    y_min = _y_floor(values, target) if values else 0.0
    span = 1.0 - y_min or 1.0

    def y_of(rate: float) -> float:
        return round(top + plot_h * (1.0 - (rate - y_min) / span), 1)

    n = len(series)
    step = plot_w / (n - 1) if n > 1 else 0
    points, segments, current = [], [], []
    x_ticks = []
    # As many period labels as fit side by side (2026年2月 is wider than 26-02), evenly spaced; the latest
    # one is moved in from the right edge, and the spacing leaves room for that.
    widest = max((text_width(label) for label, _value in series), default=0)
    overshoot = max(0.0, left + plot_w + widest / 2 + 2 - width)
    label_every = max(1, math.ceil(n / 8), math.ceil((widest + 8 + overshoot) / step) if step else 1)
    for i, (label, value) in enumerate(series):
        x = round(left + (i * step if n > 1 else plot_w / 2), 1)
        if (n - 1 - i) % label_every == 0:  # evenly spaced, counted back from the latest period
            x_ticks.append(Tick(round(min(x, width - text_width(label) / 2 - 2), 1), label))
        if value is None:
            if current:
                segments.append(" ".join(current))
                current = []
            continue
        y = y_of(value)
        points.append(Point(x, y, label, percent(value), value >= target))
        current.append(f"{x},{y}")
    if current:
        segments.append(" ".join(current))
    ticks_count = 5
    y_ticks = [
        Tick(y_of(y_min + span * k / ticks_count), percent(y_min + span * k / ticks_count, 0))
        for k in range(ticks_count + 1)
    ]
    return LineChart(
        width, height, left, right, top, bottom, points, segments, y_ticks, x_ticks, y_of(target), percent(target, 0)
    )


# -- labels that fit: widths estimated from the characters (CJK a full em, Latin about 0.6 em) --------

FONT = 11.0  # px: .chart's font-size in helpdesk.css
SUB_FONT = 9.5  # px: .chart .sub (the second, smaller line of a bar's label)
LINE = 13.0  # px from one label line to the next
SUB_LINE = 12.0


def text_width(text: str, size: float = FONT) -> float:
    """An upper estimate of the drawn width of `text` at `size` px (no font metrics on the server)."""
    total = 0.0
    for ch in text:
        if unicodedata.east_asian_width(ch) in "WF":
            total += size
        elif ch in "MW@%":
            total += size * 0.9
        elif ch.isupper() or ch.isdigit():
            total += size * 0.68
        else:
            total += size * 0.56
    return total


def _cut(text: str, width: float, size: float) -> tuple[str, str]:
    """The longest head of `text` that fits `width` (at a space when the text has words), and the rest."""
    fits = ""
    for i in range(1, len(text) + 1):
        if text_width(text[:i], size) > width:
            break
        fits = text[:i]
    if len(fits) < len(text) and " " in fits and not text[len(fits)].isspace():
        fits = fits[: fits.rindex(" ")]  # do not break a word
    return fits.rstrip(), text[len(fits) :].lstrip()


def wrap(text: str, width: float, size: float = FONT, lines: int = 2) -> list[str]:
    """`text` on at most `lines` lines no wider than `width`; what still does not fit ends in "…"."""
    out, rest = [], text.strip()
    while rest and len(out) < lines:
        if len(out) == lines - 1 and text_width(rest, size) > width:
            head, _tail = _cut(rest, width - text_width("…", size), size)
            out.append((head or rest[:1]) + "…")
            return out
        head, rest = _cut(rest, width, size)
        out.append(head or rest[:1])
        if not head:
            rest = rest[1:]
    return out


@dataclass
class BarLabel:
    lines: list[str]  # the name, on one or two lines
    sub: str | None = None  # a smaller line under it (the jurisdiction), when the chart spans several

    @property
    def text(self) -> str:
        return " ".join([*self.lines, *([self.sub] if self.sub else [])])


def bar_labels(names: list[tuple[str, str | None, str]], width: float) -> list[BarLabel]:
    """Labels every bar can be told apart by: (short name, group or None, full name) each, laid out in
    `width` px. The short name is wrapped on two lines; labels that still read alike fall back to the full
    name, and if even those do, they are numbered in their order. Deterministic: same names, same labels."""

    def layout(text: str, group: str | None) -> BarLabel:
        return BarLabel(wrap(text, width), wrap(group, width, SUB_FONT, 1)[0] if group else None)

    labels = [layout(short, group) for short, group, _full in names]
    for _round in range(2):
        seen: dict[tuple, list[int]] = {}
        for i, label in enumerate(labels):
            seen.setdefault((tuple(label.lines), label.sub), []).append(i)
        clashes = [indexes for indexes in seen.values() if len(indexes) > 1]
        if not clashes:
            break
        for indexes in clashes:
            for n, i in enumerate(indexes, start=1):
                short, group, full = names[i]
                if _round == 0:
                    labels[i] = layout(full, group)
                else:
                    suffix = f" ({n})"
                    lines = labels[i].lines
                    last = wrap(lines[-1], width - text_width(suffix), FONT, 1)[0] if lines else ""
                    labels[i] = BarLabel([*lines[:-1], last + suffix], labels[i].sub)
    return labels


@dataclass
class Bar:
    y: float  # top of the bar
    width: float
    label: BarLabel
    value: str
    below: bool
    label_y: float = 0  # baseline of the label's first line


@dataclass
class BarChart:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: list[Bar] = field(default_factory=list)
    target_x: float = 0
    target_label: str = ""
    x_ticks: list[Tick] = field(default_factory=list)
    line_height: float = LINE
    sub_line_height: float = SUB_LINE

    @property
    def empty(self) -> bool:
        return not self.bars


BarName = str | tuple[str, str | None, str]


def bar_chart(
    rows: list[tuple[BarName, float | None]],
    target: float,
    *,
    width: int = 640,
    bar_height: int = 20,
    label_width: int = 200,
) -> BarChart:
    """Horizontal bars of a rate per group (e.g. completion by department), with the target line.

    A row's name is a string, or (short name, group, full name) for labels that must be told apart
    (bar_labels); a bar whose label needs two or three lines gets the room for them."""
    gap, top, bottom, value_room = 6, 8, 22, 56
    plot_w = width - label_width - value_room
    rows = [(name, value) for name, value in rows if value is not None]
    names = [(name, None, name) if isinstance(name, str) else name for name, _value in rows]
    labels = bar_labels(names, label_width - 10)
    chart = BarChart(width, 0, label_width, bar_height)
    y = top
    for label, (_name, value) in zip(labels, rows):
        text_h = len(label.lines) * LINE + (SUB_LINE if label.sub else 0)
        row_h = max(bar_height, text_h)
        bar_y = y + (row_h - bar_height) / 2
        first_baseline = y + (row_h - text_h) / 2 + LINE - 3
        chart.bars.append(
            Bar(
                round(bar_y, 1),
                round(plot_w * max(0.0, min(1.0, value)), 1),
                label,
                percent(value),
                value < target,
                round(first_baseline, 1),
            )
        )
        y += row_h + gap
    chart.height = round(y - gap + bottom) if rows else top + bottom
    chart.target_x = round(label_width + plot_w * target, 1)
    chart.target_label = percent(target, 0)
    chart.x_ticks = [Tick(round(label_width + plot_w * k / 4, 1), percent(k / 4, 0)) for k in range(5)]
    return chart
