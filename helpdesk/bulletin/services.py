"""The monthly 通报 of a jurisdiction: what it says, built from the dashboard's own judgements.

A bulletin is the dashboard of one month (reports/dashboard.py: `build_dashboard` with its league tables
ranked by `rank_by_score` and its laggards by `laggards`) beside the dashboard of the month before (for
the change of each rank), the year to date (`resolution_report`), the red tickets with their handlers,
and the month's common issues. No rule of its own: the figures are those of the resolution report for
the same scope and month, as of the moment it is built (a month's tickets keep moving after the month
ends, and the bulletin says as of when). The files are drawn by xlsx_file.py and docx_file.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import force_locale, gettext
from sqlalchemy import and_, or_
from sqlalchemy.orm import joinedload

from helpdesk.auth.models import Role, User
from helpdesk.calendar.workdays import SHANGHAI, local_date
from helpdesk.common_issues.models import CommonIssue
from helpdesk.common_issues.queries import filter_issues, issue_reach, visible_issues
from helpdesk.db import utcnow
from helpdesk.errors import NotAllowed, ValidationFailed
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Jurisdiction
from helpdesk.jurisdictions.queries import jurisdiction_tree
from helpdesk.reports.dashboard import Laggard, Ranked, build_dashboard, month_start
from helpdesk.reports.figures import Figures
from helpdesk.reports.services import resolution_report
from helpdesk.tickets.models import Colour, Ticket
from helpdesk.tickets.queries import filter_tickets, visible_tickets, with_ticket_details

BULLETIN_ROLES = (Role.SUPERVISOR, Role.ADMIN)
BULLETIN_REFUSED = "Bulletins are for supervisors and admins."
FORMATS = ("docx", "xlsx")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIMETYPES = {"docx": DOCX, "xlsx": XLSX}
MONTH_PATTERN = r"\d{4}-(0[1-9]|1[0-2])"
FIRST_YEAR = 2000
RED_TICKETS = 100  # named in the notice, oldest red first


# -- months ---------------------------------------------------------------------------------------


def month_key(month: date) -> str:
    return f"{month.year}-{month.month:02d}"


def parse_month(text: str | None, today: date) -> date:
    """'2026-11' → 2026-11-01; none → the last full month. A month not begun yet is refused (the current
    one is allowed: its bulletin says "so far")."""
    if text is None:
        return month_start(today, 1)
    if not isinstance(text, str) or not re.fullmatch(MONTH_PATTERN, text):
        raise ValidationFailed("Give the month as YYYY-MM.", field="month")
    if int(text[:4]) < FIRST_YEAR:  # before date() sees it: year 0000 is no date at all
        raise ValidationFailed("Give a month from %(year)s on.", field="month", year=FIRST_YEAR)
    month = date(int(text[:4]), int(text[5:]), 1)
    if month.year < FIRST_YEAR:
        raise ValidationFailed("Give a month from %(year)s on.", field="month", year=FIRST_YEAR)
    if month > month_start(today):
        raise ValidationFailed("%(month)s has not begun yet.", field="month", month=text)
    return month


# -- what a bulletin says -------------------------------------------------------------------------


@dataclass
class LeagueLine:
    """A row of a league table with the rank it had the month before (None: not ranked then)."""

    rank: int
    key: int | None
    label: str
    figures: Figures
    previous_rank: int | None

    @property
    def change(self) -> int | None:
        """Places gained since the month before (negative: lost); None when it was not ranked."""
        return None if self.previous_rank is None else self.previous_rank - self.rank


@dataclass
class RedLine:
    """A red ticket and who handles it (部门, 干部)."""

    ticket_id: int
    number: str
    title: str
    enterprise: str
    jurisdiction: str
    department: str
    handler: str
    due_at: datetime
    urge_count: int
    reopen_count: int


@dataclass
class CommonIssueLine:
    """A common issue (共性问题) of the month: several companies, one problem, one lead department."""

    title: str
    tickets: int
    department: str
    status: str


@dataclass
class Bulletin:
    jurisdiction: Jurisdiction
    month: date  # its first day
    locale: str
    as_of: datetime
    target: float
    so_far: bool  # the month is not over yet
    month_figures: Figures
    year_figures: Figures  # 1 January to the end of the month
    counties: list[LeagueLine] = field(default_factory=list)  # empty for a county (it has no children)
    departments: list[LeagueLine] = field(default_factory=list)
    laggards: list[Laggard] = field(default_factory=list)
    red_tickets: list[RedLine] = field(default_factory=list)
    common_issues: list[CommonIssueLine] = field(default_factory=list)

    @property
    def english(self) -> bool:
        return self.locale.startswith("en")

    @property
    def jurisdiction_name(self) -> str:
        return self.jurisdiction.display_name("en" if self.english else None)

    def file_name(self, fmt: str) -> str:
        return f"bulletin-{self.jurisdiction.code}-{month_key(self.month)}.{fmt}"


def common_issues_of_month(viewer: User, jurisdiction_id: int, month: date, locale: str) -> list[CommonIssueLine]:
    """The common issues (共性问题) of the jurisdiction's subtree opened or resolved in `month` (Beijing time),
    oldest first, with their linked tickets and lead department, in `locale`."""
    start = datetime.combine(month, datetime.min.time(), tzinfo=SHANGHAI)
    end = datetime.combine(month_start(month, -1), datetime.min.time(), tzinfo=SHANGHAI)
    in_month = or_(
        and_(CommonIssue.created_at >= start, CommonIssue.created_at < end),
        and_(CommonIssue.resolved_at >= start, CommonIssue.resolved_at < end),
    )
    query = filter_issues(visible_issues(viewer), jurisdiction_id=jurisdiction_id).where(in_month)
    issues = list(db.session.scalars(query.options(joinedload(CommonIssue.lead_department))))[::-1]
    reach = issue_reach(issue.id for issue in issues)
    english = locale.startswith("en")
    with force_locale(locale):
        labels = {"open": gettext("Open"), "resolved": gettext("Resolved")}
    return [
        CommonIssueLine(
            title=issue.title,
            tickets=reach[issue.id].tickets if issue.id in reach else 0,
            department=issue.lead_department.display_name("en" if english else None),
            status=labels[str(issue.status)],
        )
        for issue in issues
    ]


def _with_previous(now: list[Ranked], before: list[Ranked]) -> list[LeagueLine]:
    previous = {row.key: row.rank for row in before}
    return [LeagueLine(r.rank, r.key, r.label, r.figures, previous.get(r.key)) for r in now]


def _red_lines(viewer: User, jurisdiction_id: int, as_of: datetime, english: bool) -> list[RedLine]:
    query = filter_tickets(
        visible_tickets(viewer), now=as_of, warning=Colour.RED.value, jurisdiction_id=jurisdiction_id
    )
    tickets = db.session.scalars(with_ticket_details(query).order_by(Ticket.red_from, Ticket.id).limit(RED_TICKETS))
    language = "en" if english else None
    return [
        RedLine(
            ticket_id=t.id,
            number=t.number,
            title=t.title,
            enterprise=t.enterprise.name,
            jurisdiction=t.jurisdiction.display_name(language),
            department=t.department.display_name(language) if t.department else "",
            handler=t.assignee.name if t.assignee else "",
            due_at=t.due_at,
            urge_count=t.urge_count,
            reopen_count=t.reopen_count,
        )
        for t in tickets
    ]


def _default_jurisdiction(viewer: User) -> int:
    if viewer.role == Role.SUPERVISOR:
        return viewer.jurisdiction_id
    tops = jurisdiction_tree().children(None)
    if len(tops) != 1:
        raise ValidationFailed("Choose a jurisdiction.", field="jurisdiction_id")
    return tops[0].id


def build_bulletin(
    viewer: User,
    *,
    month: date,
    jurisdiction_id: int | None = None,
    as_of: datetime | None = None,
    locale: str | None = None,
) -> Bulletin:
    """The bulletin of `month` for a jurisdiction `viewer` supervises (its own by default).

    NotAllowed for other roles and for a jurisdiction outside a supervisor's; ValidationFailed for an
    unknown jurisdiction or a month not begun yet.
    """
    if viewer.role not in BULLETIN_ROLES:
        raise NotAllowed(BULLETIN_REFUSED)
    as_of = as_of or utcnow()
    locale = locale or "zh_CN"
    if month > month_start(local_date(as_of)):
        raise ValidationFailed("%(month)s has not begun yet.", field="month", month=month_key(month))
    jurisdiction_id = jurisdiction_id if jurisdiction_id is not None else _default_jurisdiction(viewer)
    next_month, previous_month = month_start(month, -1), month_start(month, 1)
    common = {"jurisdiction_id": jurisdiction_id, "as_of": as_of, "locale": locale, "department_limit": None}
    current = build_dashboard(viewer, date_from=month, date_to=next_month, **common)
    before = build_dashboard(viewer, date_from=previous_month, date_to=month, **common)
    year = resolution_report(
        viewer, jurisdiction_id=jurisdiction_id, date_from=date(month.year, 1, 1), date_to=next_month, as_of=as_of
    )
    tree = jurisdiction_tree()
    root = current.board_root
    has_children = root is not None and bool(tree.children(root.id))
    return Bulletin(
        jurisdiction=db.session.get(Jurisdiction, jurisdiction_id),
        month=month,
        locale=locale,
        as_of=as_of,
        target=current.target,
        so_far=local_date(as_of) < next_month,
        month_figures=current.overall,
        year_figures=year.overall,
        counties=_with_previous(current.league_jurisdictions, before.league_jurisdictions) if has_children else [],
        departments=_with_previous(current.league_departments, before.league_departments),
        laggards=current.laggards,
        red_tickets=_red_lines(viewer, jurisdiction_id, as_of, locale.startswith("en")),
        common_issues=common_issues_of_month(viewer, jurisdiction_id, month, locale),
    )


# -- files ----------------------------------------------------------------------------------------


def system_viewer() -> User:
    """Who the scheduled bulletin is read as: the whole jurisdiction, as an admin sees it (a transient
    user, never saved)."""
    return User(role=Role.ADMIN.value, name="system", email="system@localhost", active=True)


def bulletin_file(bulletin: Bulletin, fmt: str) -> bytes:
    """The bulletin as a DOCX document or an XLSX workbook, in the bulletin's language."""
    from helpdesk.bulletin.docx_file import bulletin_docx
    from helpdesk.bulletin.xlsx_file import bulletin_xlsx

    if fmt not in FORMATS:
        raise ValidationFailed("format must be docx or xlsx.", field="format")
    return bulletin_docx(bulletin) if fmt == "docx" else bulletin_xlsx(bulletin)


def render_bulletin(
    jurisdiction: Jurisdiction | int,
    month: date,
    fmt: str,
    locale: str,
    *,
    as_of: datetime | None = None,
) -> bytes:
    """The file the delivery worker attaches: `jurisdiction`'s bulletin of `month` (docx or xlsx) in `locale`."""
    jurisdiction_id = jurisdiction if isinstance(jurisdiction, int) else jurisdiction.id
    bulletin = build_bulletin(system_viewer(), month=month, jurisdiction_id=jurisdiction_id, as_of=as_of, locale=locale)
    return bulletin_file(bulletin, fmt)
