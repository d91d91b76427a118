"""The supervisor dashboard (PRODUCT.md §6): figures against the 99% target, the three-colour board,
the trend and department charts, laggards, league tables, the red tickets, and the CSV/XLSX files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from helpdesk.auth.models import Role, User
from helpdesk.calendar.workdays import local_date
from helpdesk.db import utcnow
from helpdesk.errors import DomainError
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Category, Jurisdiction
from helpdesk.jurisdictions.queries import subtree_ids
from helpdesk.main.pages import arg_id, display_name, query_text, role_required, ui_locale
from helpdesk.reports import charts
from helpdesk.reports.export import report_csv, report_xlsx
from helpdesk.reports.service import GROUPS, resolution_report
from helpdesk.tickets.labels import translate_message
from helpdesk.tickets.models import Colour, Ticket
from helpdesk.tickets.queries import visible_tickets
from helpdesk.tickets.services import allowed_actions

bp = Blueprint("reports", __name__)
VIEWERS = (Role.CADRE.value, Role.SUPERVISOR.value, Role.ADMIN.value)
PERIODS = ("this_year", "last_year", "last_12_months", "this_month", "all", "custom")
RED_TICKETS = 30


@bp.app_template_filter("pct")
def pct_filter(value, digits: int = 1) -> str:
    return charts.percent(value, digits)


@dataclass
class Filters:
    period: str
    date_from: date | None
    date_to: date | None  # exclusive
    category: str | None
    jurisdiction_id: int | None
    errors: dict[str, str]

    def args(self) -> dict:
        """The query arguments that reproduce these filters (for links and downloads)."""
        values = {"period": self.period, "category": self.category, "jurisdiction_id": self.jurisdiction_id}
        if self.period == "custom":
            values["from"] = self.date_from.isoformat() if self.date_from else None
            values["to"] = self.date_to.isoformat() if self.date_to else None
        return {k: v for k, v in values.items() if v not in (None, "")}


def _parse_date(name: str, errors: dict) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        errors[name] = _("Not a valid date (YYYY-MM-DD).")
        return None


def _month_start(day: date, months_back: int = 0) -> date:
    month = day.year * 12 + day.month - 1 - months_back
    return date(month // 12, month % 12 + 1, 1)


def read_filters(today: date) -> Filters:
    """Period, category and jurisdiction from the query string; nonsense is reported, never a 500."""
    errors: dict[str, str] = {}
    period = request.args.get("period", "this_year")
    if period not in PERIODS:
        period = "this_year"
    tomorrow = today + timedelta(days=1)
    date_from, date_to = {
        "this_year": (date(today.year, 1, 1), tomorrow),
        "last_year": (date(today.year - 1, 1, 1), date(today.year, 1, 1)),
        "last_12_months": (_month_start(today, 11), tomorrow),
        "this_month": (_month_start(today), tomorrow),
        "all": (None, None),
        "custom": (None, None),
    }[period]
    if period == "custom":
        date_from, date_to = _parse_date("from", errors), _parse_date("to", errors)
        if date_from and date_to and date_from >= date_to:
            errors["to"] = _("The end must be after the start.")
            date_to = None
    category = query_text("category", 30) or None
    if category and db.session.scalar(select(Category.id).where(Category.code == category)) is None:
        errors["category"] = _("Unknown category.")
        category = None
    jurisdiction_id = arg_id("jurisdiction_id")
    if jurisdiction_id is not None and jurisdiction_id not in _allowed_jurisdictions():
        errors["jurisdiction_id"] = _("Choose a jurisdiction of yours.")
        jurisdiction_id = None
    return Filters(period, date_from, date_to, category, jurisdiction_id, errors)


def _allowed_jurisdictions() -> set[int]:
    if current_user.role == Role.SUPERVISOR:
        return set(subtree_ids(current_user.jurisdiction_id))
    if current_user.role == Role.ADMIN:
        return set(db.session.scalars(select(Jurisdiction.id)))
    return set()


def _board_root(filters: Filters) -> int | None:
    """Where the board's tiles hang: the chosen jurisdiction, else the viewer's, going down while it has
    exactly one child (the province has one city here, so the board shows the city's counties)."""
    root = filters.jurisdiction_id
    if root is None and current_user.role == Role.SUPERVISOR:
        root = current_user.jurisdiction_id
    tree = list(db.session.execute(select(Jurisdiction.id, Jurisdiction.parent_id)))
    for _depth in range(5):
        children = [j for j, parent in tree if parent == root]
        if len(children) != 1:
            break
        root = children[0]
    return root


def _report(filters: Filters, **kwargs):
    return resolution_report(
        current_user,
        category=filters.category,
        date_from=filters.date_from,
        date_to=filters.date_to,
        locale=ui_locale(),
        **kwargs,
    )


def _tile_colour(figures) -> str:
    """A tile takes the colour of its worst open ticket (green when none is late)."""
    for colour in ("red", "orange", "yellow"):
        if figures.open_by_warning.get(colour):
            return colour
    return "green"


def _red_tickets(filters: Filters, now):
    query = visible_tickets(current_user).where(Ticket.warning_filter(Colour.RED.value, now))
    if filters.jurisdiction_id:
        query = query.where(Ticket.jurisdiction_id.in_(subtree_ids(filters.jurisdiction_id)))
    if filters.category:
        query = query.join(Category, Category.id == Ticket.category_id).where(Category.code == filters.category)
    tickets = list(db.session.scalars(query.order_by(Ticket.red_from, Ticket.id).limit(RED_TICKETS)))
    rows = []
    for ticket in tickets:
        actions = allowed_actions(current_user, ticket)
        cadres = []
        if "assign" in actions and ticket.department_id:
            cadres = list(
                db.session.scalars(
                    select(User)
                    .where(
                        User.role == Role.CADRE.value,
                        User.active.is_(True),
                        User.department_id == ticket.department_id,
                        User.id != (ticket.assignee_id or 0),
                    )
                    .order_by(User.open_tickets, User.name)
                    .limit(30)
                )
            )
        rows.append({"ticket": ticket, "actions": actions, "cadres": cadres})
    return rows


def _jurisdiction_options() -> list[Jurisdiction]:
    ids = _allowed_jurisdictions()
    if not ids:
        return []
    return list(db.session.scalars(select(Jurisdiction).where(Jurisdiction.id.in_(ids)).order_by(Jurisdiction.code)))


@bp.get("/dashboard")
@role_required(*VIEWERS)
def dashboard():
    """Figures for the viewer's scope: a supervisor's subtree, everything for admins, a cadre's own tickets."""
    now = utcnow()
    today = local_date(now)
    filters = read_filters(today)
    board_root = _board_root(filters) if current_user.role != Role.CADRE else None
    try:
        by_jurisdiction = _report(filters, group_by="jurisdiction", jurisdiction_id=board_root, as_of=now)
        by_department = _report(filters, group_by="department", jurisdiction_id=board_root, as_of=now)
        trend_to = filters.date_to or today + timedelta(days=1)
        trend_filters = Filters(
            "custom",
            _month_start(trend_to - timedelta(days=1), 11),
            trend_to,
            filters.category,
            filters.jurisdiction_id,
            {},
        )
        by_month = _report(trend_filters, group_by="month", jurisdiction_id=board_root, as_of=now)
    except DomainError as exc:
        # Only reachable with arguments read_filters let through; shown, never a 500.
        filters.errors["form"] = translate_message(exc.message)
        return render_template(
            "reports/dashboard.html",
            filters=filters,
            report=None,
            periods=PERIODS,
            period_last=None,
            categories=_categories(),
            jurisdictions=_jurisdiction_options(),
        ), 422
    target = by_jurisdiction.target
    overall = by_jurisdiction.overall

    months = _month_labels(trend_filters.date_from, trend_to)
    rates = {row.key: row.figures.completion_rate for row in by_month.rows}
    series = [(m[2:], rates.get(m)) for m in months]
    # Two drawings of each chart: a narrow one for phones, a wide one for desks (CSS shows one).
    trend = charts.line_chart(series, target)
    trend_small = charts.line_chart(series, target, width=360, height=220)

    departments = [row for row in by_department.rows if row.figures.eligible]
    busiest = sorted(departments, key=lambda r: (-r.figures.eligible, r.label))[:15]
    bar_rows = [
        (row.label, row.figures.completion_rate)
        for row in sorted(busiest, key=lambda r: (r.figures.completion_rate or 0, r.label))
    ]
    bars = charts.bar_chart(bar_rows, target)
    bars_small = charts.bar_chart(bar_rows, target, width=360, label_width=118, label_chars=8, bar_height=18)
    laggards = sorted(
        [("department", row) for row in departments if row.figures.gap_to_target]
        + [("jurisdiction", row) for row in by_jurisdiction.rows if row.figures.gap_to_target],
        key=lambda item: (-item[1].figures.gap_to_target, item[1].label),
    )[:12]

    def by_score(rows):
        return sorted(
            (r for r in rows if r.figures.score is not None),
            key=lambda r: (-r.figures.score, -(r.figures.completion_rate or 0), r.label),
        )

    tiles = [{"row": row, "colour": _tile_colour(row.figures)} for row in by_jurisdiction.rows if row.key is not None]
    return render_template(
        "reports/dashboard.html",
        filters=filters,
        period_last=filters.date_to - timedelta(days=1) if filters.date_to else None,
        report=by_jurisdiction,
        overall=overall,
        target=target,
        tiles=tiles,
        trend=trend,
        trend_small=trend_small,
        bars=bars,
        bars_small=bars_small,
        laggards=laggards,
        league_jurisdictions=by_score(by_jurisdiction.rows),
        league_departments=by_score(departments)[:20],
        red_rows=_red_tickets(filters, now) if current_user.role != Role.CADRE else [],
        periods=PERIODS,
        categories=_categories(),
        jurisdictions=_jurisdiction_options(),
        board_root=db.session.get(Jurisdiction, board_root) if board_root else None,
        now=now,
        groups=GROUPS,
    )


def _categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.id)))


def _month_labels(first: date, end: date) -> list[str]:
    """'2026-01' … for every month from `first` up to the day before `end`."""
    labels, day = [], date(first.year, first.month, 1)
    last = end - timedelta(days=1)
    while day <= last:
        labels.append(f"{day.year}-{day.month:02d}")
        day = _month_start(day, -1)
    return labels


@bp.get("/dashboard/export.<fmt>")
@role_required(*VIEWERS)
def export(fmt: str):
    """The report as CSV (streamed, no row cap) or XLSX, grouped by ?group_by= (department by default)."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    now = utcnow()
    filters = read_filters(local_date(now))
    if filters.errors:
        abort(400, description=" ".join(filters.errors.values()))
    group_by = request.args.get("group_by", "department")
    if group_by not in GROUPS:
        group_by = "department"
    try:
        report = _report(filters, group_by=group_by, jurisdiction_id=filters.jurisdiction_id, as_of=now)
    except DomainError as exc:
        abort(400, description=translate_message(exc.message))
    stamp = local_date(now).isoformat()
    name = f"resolution-{group_by}-{stamp}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "csv":
        # The report is computed already: the lines stream without needing the request any more.
        lines = report_csv(report, ui_locale())
        return Response(lines, mimetype="text/csv; charset=utf-8", headers=headers)
    return Response(
        report_xlsx(report, ui_locale()),
        headers=headers,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def export_url(fmt: str, filters: Filters, group_by: str) -> str:
    return url_for("reports.export", fmt=fmt, group_by=group_by, **filters.args())


@bp.app_context_processor
def report_helpers():
    return {"export_url": export_url, "display_name": display_name}
