"""The battle map (作战图): Zhoukou's ten divisions as inline SVG, each filled by its colour and a link.

A pure function of its inputs: the caller says what each division shows (fill class, label lines,
link); the geometry comes from map_geometry. No JavaScript, no tiles, no CDN: the server sends the
finished map, which works offline and on a phone.

Fill classes (styled at the end of helpdesk/static/helpdesk.css):
- warning mode, the worst open warning: fill-red, fill-orange, fill-yellow, fill-green;
- rate mode, the completion rate against the target: fill-meets (at or above the target),
  fill-near (less than NEAR_TARGET below it), fill-below;
- fill-none in either mode: no figures (no tickets, or not the viewer's to see).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from markupsafe import Markup, escape

from helpdesk.reports.map_geometry import Division, MapGeometry, label_spot, load_geometry

WARNING_FILLS = ("fill-red", "fill-orange", "fill-yellow", "fill-green")
RATE_FILLS = ("fill-meets", "fill-near", "fill-below")
FILLS = frozenset((*WARNING_FILLS, *RATE_FILLS, "fill-none"))
NEAR_TARGET = 0.05  # a rate this close below the target is "near" (five percentage points)

# Label sizes in viewBox units (the map is 1000 wide). Drawn 340 px wide on a phone, 34 units is
# 11.5 px; a label that does not fit its division shrinks, to no less than MIN_FONT (9 px).
FONT = 34
MIN_FONT = 26
LINE_HEIGHT = 1.15
FIT = 0.9  # of the room a label may fill: the width of text is only estimated


@dataclass
class MapArea:
    """What one division shows: its GB/T 2260 code, name, fill class, label lines and link."""

    code: str
    name: str
    fill: str = "fill-none"
    label_lines: list[str] = field(default_factory=list)  # e.g. [name, "97.5%", "红 3"]; the first is bold
    url: str | None = None
    title: str = ""  # hover text and accessible name; by default the name and the label lines


def warning_fill(colour: str | None) -> str:
    """The fill class of a division whose worst open warning is `colour` (None: no open ticket)."""
    name = f"fill-{colour}"
    return name if name in WARNING_FILLS else "fill-none"


def rate_fill(rate: float | None, target: float, meets: bool | None = None, near: float = NEAR_TARGET) -> str:
    """The fill class of a completion rate; pass Figures.meets_target as `meets` (exact, in Decimal)."""
    if rate is None:
        return "fill-none"
    if meets if meets is not None else rate >= target:
        return "fill-meets"
    return "fill-near" if rate >= target - near else "fill-below"


def short_name(name_en: str) -> str:
    """ "Chuanhui District" → "Chuanhui": English suffixes make labels too wide for the smaller divisions."""
    for suffix in (" District", " County", " City"):
        if name_en.endswith(suffix):
            return name_en.removesuffix(suffix)
    return name_en


def render_battle_map(areas: list[MapArea], *, highlight: str | None = None, caption: str = "") -> Markup:
    """The map as an inline <svg>: one link per division, labels on top; `highlight` outlines one county
    and dims the others. A division without a MapArea is drawn blank, without text or link."""
    geometry = load_geometry()
    by_code = _check(areas, geometry, highlight)
    # The highlighted division is drawn last, so that no neighbour covers its thick outline.
    order = sorted(geometry.divisions.values(), key=lambda d: d.code == highlight)
    shapes, labels = [], []
    for division in order:
        area = by_code.get(division.code)
        state = "" if highlight is None else (" selected" if division.code == highlight else " dimmed")
        shapes.append(_shape(division, area, state))
        if area and area.label_lines:
            labels.append(_label(division, area.label_lines, state))
    classes = "battle-map" + (" has-highlight" if highlight else "")
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{classes}" viewBox="0 0 {geometry.width} {geometry.height}"'
        f' width="100%" role="group" aria-label="{escape(caption)}">'
        f'<g class="areas">{"".join(shapes)}</g>'
        f'<g class="labels" aria-hidden="true">{"".join(labels)}</g></svg>'
    )


def _check(areas: list[MapArea], geometry: MapGeometry, highlight: str | None) -> dict[str, MapArea]:
    by_code: dict[str, MapArea] = {}
    for area in areas:
        if area.code not in geometry.divisions:
            raise ValueError(f"no division {area.code!r} on the map")
        if area.code in by_code:
            raise ValueError(f"division {area.code!r} given twice")
        if area.fill not in FILLS:
            raise ValueError(f"unknown fill class {area.fill!r}")
        by_code[area.code] = area
    if highlight is not None and highlight not in geometry.divisions:
        raise ValueError(f"no division {highlight!r} on the map")
    return by_code


def _shape(division: Division, area: MapArea | None, state: str) -> str:
    fill = area.fill if area else "fill-none"
    path = f'<path data-code="{division.code}" class="area {fill}{state}" d="{division.d}"/>'
    if area is None:
        return path
    title = area.title or " · ".join(dict.fromkeys([area.name, *area.label_lines]))
    inner = f"<title>{escape(title)}</title>{path}"
    if area.url is None:
        return f'<g data-code="{division.code}">{inner}</g>'
    return f'<a href="{escape(area.url)}" data-code="{division.code}">{inner}</a>'


def text_width(text: str, size: float) -> float:
    """About how wide `text` is drawn at `size`: CJK glyphs are square, Latin ones a little over half."""
    return size * sum(1.0 if ord(ch) >= 0x2E80 else 0.3 if ch == " " else 0.6 for ch in text)


@lru_cache(maxsize=512)
def _spot(code: str, aspect: float) -> tuple[tuple[float, float], float]:
    return label_spot(load_geometry().divisions[code].outline, aspect)


def place_label(division: Division, lines: list[str]) -> tuple[float, float, int]:
    """Where the label goes and its font size: the largest, up to FONT, at which its box fits the division.

    A label that fits nowhere even at MIN_FONT is drawn at MIN_FONT on its best spot (the halo keeps
    it readable over the border)."""
    width = max(text_width(line, 1.06 if i == 0 else 1.0) for i, line in enumerate(lines))  # at size 1
    height = LINE_HEIGHT * len(lines)
    aspect = max(0.3, round(width / height, 1))  # rounded, so that a few spots serve every label
    (x, y), half_height = _spot(division.code, aspect)
    size = int(2 * half_height * FIT / height)
    return x, y, max(MIN_FONT, min(FONT, size))


def _label(division: Division, lines: list[str], state: str) -> str:
    x, y, size = place_label(division, lines)
    # Centre the block of lines on the label point; 0.35em puts a line's middle on its y.
    first = -(len(lines) - 1) / 2 * LINE_HEIGHT + 0.35
    spans = [f'<tspan x="{x:.0f}" dy="{first:.2f}em" class="name">{escape(lines[0])}</tspan>']
    spans += [f'<tspan x="{x:.0f}" dy="{LINE_HEIGHT}em">{escape(line)}</tspan>' for line in lines[1:]]
    return f'<text class="label{state}" data-code="{division.code}" x="{x:.0f}" y="{y:.0f}" font-size="{size}">{"".join(spans)}</text>'
