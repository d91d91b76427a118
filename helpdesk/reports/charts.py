"""Geometry of the dashboard's charts, computed in Python; templates/reports/_charts.html draws it as SVG.

No chart library and no JavaScript: the server sends finished inline SVG, which works offline on a
government intranet and prints well.
"""

from __future__ import annotations

import math
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
    label_every = max(1, math.ceil(n / 8))
    for i, (label, value) in enumerate(series):
        x = round(left + (i * step if n > 1 else plot_w / 2), 1)
        if (n - 1 - i) % label_every == 0:  # evenly spaced, counted back from the latest period
            x_ticks.append(Tick(x, label))
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


@dataclass
class Bar:
    y: float
    width: float
    label: str
    value: str
    below: bool


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

    @property
    def empty(self) -> bool:
        return not self.bars


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(
    rows: list[tuple[str, float | None]],
    target: float,
    *,
    width: int = 640,
    bar_height: int = 20,
    label_width: int = 200,
    label_chars: int = 16,
) -> BarChart:
    """Horizontal bars of a rate per group (e.g. completion by department), with the target line."""
    gap, top, bottom, value_room = 6, 8, 22, 56
    plot_w = width - label_width - value_room
    rows = [(label, value) for label, value in rows if value is not None]
    height = top + bottom + len(rows) * (bar_height + gap)
    chart = BarChart(width, height, label_width, bar_height)
    for i, (label, value) in enumerate(rows):
        chart.bars.append(
            Bar(
                top + i * (bar_height + gap),
                round(plot_w * max(0.0, min(1.0, value)), 1),
                _short(label, label_chars),
                percent(value),
                value < target,
            )
        )
    chart.target_x = round(label_width + plot_w * target, 1)
    chart.target_label = percent(target, 0)
    chart.x_ticks = [Tick(round(label_width + plot_w * k / 4, 1), percent(k / 4, 0)) for k in range(5)]
    return chart
