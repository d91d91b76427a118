"""The dashboard's battle map (作战图): which division shows what, from the dashboard's own figures.

The city's (and the province's, which goes down to its one city) board is the ten divisions: each is
filled by the worst open warning or by its completion rate against the target (`mode`), labelled with
its rate and red count, and links to its own dashboard when the viewer may open it. A county's
dashboard shows that county highlighted within the city, the others blank.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from markupsafe import Markup

from helpdesk.jurisdictions.queries import jurisdiction_tree
from helpdesk.reports.battle_map import MapArea, rate_fill, render_battle_map, short_name, warning_fill
from helpdesk.reports.charts import percent
from helpdesk.reports.dashboard import Dashboard, tile_colour
from helpdesk.reports.figures import Figures
from helpdesk.reports.map_geometry import load_geometry

MODES = ("warning", "rate")


def _area(code: str, name: str, figures: Figures, target: float, mode: str, url: str | None) -> MapArea:
    red = figures.open_by_warning.get("red", 0)
    fill = (
        warning_fill(tile_colour(figures) if figures.total else None)
        if mode == "warning"
        else rate_fill(figures.completion_rate, target, figures.meets_target)
    )
    lines = [name, percent(figures.completion_rate), _("Red %(n)s", n=red)]
    return MapArea(code, name, fill, lines, url=url, title=" · ".join(lines))


def battle_map(board: Dashboard, *, mode: str, english: bool, link: Callable[[int], str | None]) -> Markup | None:
    """The map of the dashboard, or None when its scope is not on the map (a cadre's, another city's)."""
    root = board.board_root
    codes = set(load_geometry().divisions)
    if root is None:
        return None
    tree = jurisdiction_tree()
    caption = (
        _("Battle map: completion rate against the target")
        if mode == "rate"
        else _("Battle map: the worst open warning of each division")
    )

    def name(j) -> str:
        return short_name(j.name_en) if english else j.name

    if root.code in codes:  # a county: itself, highlighted within the city
        area = _area(root.code, name(root), board.overall, board.target, mode, None)
        return render_battle_map([area], highlight=root.code, caption=caption)
    areas = []
    for tile in board.board:
        county = tree.by_id[tile.key]
        if county.code in codes:
            areas.append(_area(county.code, name(county), tile.figures, board.target, mode, link(tile.key)))
    return render_battle_map(areas, caption=caption) if areas else None
