"""The supervisor dashboard's judgements (PRODUCT.md §6, §12): one service for the page and the API.

From three resolution reports of the viewer's scope (by child jurisdiction, by department, by month)
it decides what the dashboard shows: where the three-colour board hangs and each tile's colour, the
league tables with score and rank ("horse racing"), the laggards sorted by their gap to the target,
the open tickets by colour, the monthly trend and the common issues (共性问题) reached. `GET /api/v1/reports/dashboard` dumps it and the
page draws it, so the two always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from helpdesk.auth.models import Role, User
from helpdesk.calendar.workdays import local_date
from helpdesk.common_issues.report import CommonIssueReport, common_issue_report
from helpdesk.db import utcnow
from helpdesk.jurisdictions.models import Jurisdiction
from helpdesk.jurisdictions.queries import jurisdiction_tree
from helpdesk.reports.figures import Figures, Row
from helpdesk.reports.services import resolution_report, resolution_reports
from helpdesk.tickets.models import WORST_FIRST

TREND_MONTHS = 12
LAGGARDS = 12
LEAGUE_DEPARTMENTS = 20
BUSIEST_DEPARTMENTS = 15


@dataclass
class Tile:
    """One child jurisdiction on the three-colour board, in the colour of its worst open ticket."""

    key: int
    label: str
    colour: str
    figures: Figures


@dataclass
class Ranked:
    """A row of a league table: 1 is the best score; equal scores share a rank."""

    rank: int
    key: int | None
    label: str
    figures: Figures


@dataclass
class Laggard:
    """A jurisdiction or department behind the target, with the completions it still needs."""

    kind: str  # "jurisdiction" or "department"
    key: int | None
    label: str
    figures: Figures


@dataclass
class TrendPoint:
    month: str  # "2026-03"
    figures: Figures | None  # None for a month without tickets


@dataclass
class Dashboard:
    target: float
    as_of: datetime
    date_from: date | None
    date_to: date | None  # exclusive
    board_root: Jurisdiction | None
    overall: Figures
    board: list[Tile] = field(default_factory=list)
    league_jurisdictions: list[Ranked] = field(default_factory=list)
    league_departments: list[Ranked] = field(default_factory=list)
    laggards: list[Laggard] = field(default_factory=list)
    busiest_departments: list[Row] = field(default_factory=list)
    trend: list[TrendPoint] = field(default_factory=list)
    common_issues: CommonIssueReport | None = None  # 共性问题: issues, tickets linked, enterprises reached

    @property
    def open_by_warning(self) -> dict[str, int]:
        return self.overall.open_by_warning

    def as_dict(self) -> dict:
        """The document of GET /api/v1/reports/dashboard: each row's figures beside its key and label."""

        def flat(item, *names) -> dict:
            return {**{name: getattr(item, name) for name in names}, **item.figures.as_dict()}

        root = self.board_root
        return {
            "target": self.target,
            "as_of": self.as_of.isoformat(),
            "date_from": self.date_from,
            "date_to": self.date_to,
            "board_root": {"id": root.id, "code": root.code, "name": root.name, "level": root.level} if root else None,
            "overall": self.overall.as_dict(),
            "open_by_warning": self.open_by_warning,
            "board": [flat(tile, "key", "label", "colour") for tile in self.board],
            "league_jurisdictions": [flat(r, "rank", "key", "label") for r in self.league_jurisdictions],
            "league_departments": [flat(r, "rank", "key", "label") for r in self.league_departments],
            "laggards": [flat(item, "kind", "key", "label") for item in self.laggards],
            "busiest_departments": [row.as_dict() for row in self.busiest_departments],
            "trend": [{"month": p.month, "figures": p.figures.as_dict() if p.figures else None} for p in self.trend],
            "common_issues": self.common_issues.as_dict() if self.common_issues else None,
        }


def tile_colour(figures: Figures) -> str:
    """A tile takes the colour of its worst open ticket (green when none is late)."""
    for colour in WORST_FIRST[:-1]:
        if figures.open_by_warning.get(colour):
            return colour
    return "green"


def board_root(viewer: User, jurisdiction_id: int | None) -> int | None:
    """Where the board's tiles hang: the chosen jurisdiction, else the viewer's, going down while it has
    exactly one child (the province has one city here, so the board shows the city's counties)."""
    if viewer.role == Role.CADRE:
        return None
    root = jurisdiction_id
    if root is None and viewer.role == Role.SUPERVISOR:
        root = viewer.jurisdiction_id
    tree = jurisdiction_tree()
    for _depth in range(5):
        children = tree.children(root)
        if len(children) != 1:
            break
        root = children[0].id
    return root


def rank_by_score(rows: list[Row], limit: int | None = None) -> list[Ranked]:
    """Best score first (then completion rate, then name); rows without a score are left out."""
    scored = sorted(
        (r for r in rows if r.figures.score is not None),
        key=lambda r: (-r.figures.score, -(r.figures.completion_rate or 0), r.label),
    )
    ranked: list[Ranked] = []
    for position, row in enumerate(scored[:limit] if limit else scored, start=1):
        tied = ranked and round(ranked[-1].figures.score, 6) == round(row.figures.score, 6)
        ranked.append(Ranked(ranked[-1].rank if tied else position, row.key, row.label, row.figures))
    return ranked


def laggards(jurisdictions: list[Row], departments: list[Row], limit: int = LAGGARDS) -> list[Laggard]:
    """Who still needs completions to reach the target, the largest gap first."""
    behind = [Laggard("department", r.key, r.label, r.figures) for r in departments if r.figures.gap_to_target] + [
        Laggard("jurisdiction", r.key, r.label, r.figures) for r in jurisdictions if r.figures.gap_to_target
    ]
    return sorted(behind, key=lambda item: (-item.figures.gap_to_target, item.label))[:limit]


def month_start(day: date, months_back: int = 0) -> date:
    month = day.year * 12 + day.month - 1 - months_back
    return date(month // 12, month % 12 + 1, 1)


def months_between(first: date, end: date) -> list[str]:
    """'2026-01' … for every month from `first` up to the day before `end`."""
    labels, day = [], month_start(first)
    while day < end:
        labels.append(f"{day.year}-{day.month:02d}")
        day = month_start(day, -1)
    return labels


def build_dashboard(
    viewer: User,
    *,
    jurisdiction_id: int | None = None,
    department_id: int | None = None,
    category: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    as_of: datetime | None = None,
    locale: str | None = None,
    department_limit: int | None = LEAGUE_DEPARTMENTS,
) -> Dashboard:
    """Everything the dashboard shows for what `viewer` may see (resolution_report's rules and errors);
    `department_limit` None ranks every department (the monthly bulletin)."""
    as_of = as_of or utcnow()
    root = board_root(viewer, jurisdiction_id)
    common = {"department_id": department_id, "category": category, "as_of": as_of, "locale": locale}
    period = {"date_from": date_from, "date_to": date_to}
    # One scan of the period for both groupings, one of the trend's twelve months.
    reports = resolution_reports(viewer, ("jurisdiction", "department"), jurisdiction_id=root, **period, **common)
    by_jurisdiction, by_department = reports["jurisdiction"], reports["department"]
    trend_end = date_to or local_date(as_of) + timedelta(days=1)
    trend_start = month_start(trend_end - timedelta(days=1), TREND_MONTHS - 1)
    by_month = resolution_report(
        viewer, group_by="month", jurisdiction_id=root, date_from=trend_start, date_to=trend_end, **common
    )

    departments = [row for row in by_department.rows if row.figures.eligible]
    months = {row.key: row.figures for row in by_month.rows}
    busiest = sorted(departments, key=lambda r: (-r.figures.eligible, r.label))[:BUSIEST_DEPARTMENTS]
    return Dashboard(
        target=by_jurisdiction.target,
        as_of=as_of.astimezone(UTC),
        date_from=date_from,
        date_to=date_to,
        board_root=jurisdiction_tree().by_id.get(root) if root is not None else None,
        overall=by_jurisdiction.overall,
        board=[
            Tile(row.key, row.label, tile_colour(row.figures), row.figures)
            for row in by_jurisdiction.rows
            if row.key is not None
        ]
        if viewer.role != Role.CADRE
        else [],
        league_jurisdictions=rank_by_score(by_jurisdiction.rows),
        league_departments=rank_by_score(departments, department_limit),
        laggards=laggards(by_jurisdiction.rows, departments),
        busiest_departments=busiest,
        trend=[TrendPoint(month, months.get(month)) for month in months_between(trend_start, trend_end)],
        common_issues=common_issue_report(
            viewer,
            root=root,
            category=category,
            date_from=date_from,
            date_to=date_to,
            label=lambda obj: obj.display_name("en" if (locale or "").startswith("en") else None),
        ),
    )
