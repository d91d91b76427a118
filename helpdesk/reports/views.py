"""The supervisor dashboard (PRODUCT.md §6): figures against the 99% target, the three-colour board,
the trend and department charts, laggards, league tables, the red tickets, and the CSV/XLSX files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from babel.dates import format_skeleton
from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from helpdesk.audit.models import SecurityEventKind
from helpdesk.audit.services import record_security_event
from helpdesk.auth.models import Role, User
from helpdesk.calendar.workdays import local_date
from helpdesk.db import utcnow
from helpdesk.errors import DomainError
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Category, Department, Jurisdiction
from helpdesk.jurisdictions.scope import Scope, supervised_scope
from helpdesk.pages import arg_id, display_name, home_page, query_text, role_required, ui_locale
from helpdesk.reports import charts
from helpdesk.reports.dashboard import build_dashboard, month_start
from helpdesk.reports.export import XLSX_MIMETYPE, report_csv, report_xlsx
from helpdesk.reports.figures import GROUPS
from helpdesk.reports.map_view import MODES as MAP_MODES
from helpdesk.reports.map_view import battle_map
from helpdesk.reports.services import resolution_report
from helpdesk.tickets.models import WORST_FIRST, Colour, Ticket
from helpdesk.tickets.queries import filter_tickets, visible_tickets, with_ticket_details
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
        "last_12_months": (month_start(today, 11), tomorrow),
        "this_month": (month_start(today), tomorrow),
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


def _allowed_jurisdictions() -> Scope:
    return supervised_scope(current_user)


def _report_args(filters: Filters) -> dict:
    return {
        "category": filters.category,
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "locale": ui_locale(),
    }


def _red_tickets(filters: Filters, now):
    """The red tickets of the scope, oldest red first, with what the viewer may do on each."""
    query = filter_tickets(
        visible_tickets(current_user),
        now=now,
        warning=Colour.RED.value,
        category=filters.category,
        jurisdiction_id=filters.jurisdiction_id,
    )
    # The ids first (an index-only scan of the open tickets), then those few rows with their relations
    # (two statements: as one, PostgreSQL joins every ticket of the table before picking the thirty).
    oldest = query.with_only_columns(Ticket.id).order_by(Ticket.red_from, Ticket.id).limit(RED_TICKETS)
    ids = list(db.session.scalars(oldest))
    rows = with_ticket_details(select(Ticket).where(Ticket.id.in_(ids)).order_by(Ticket.red_from, Ticket.id))
    tickets = list(db.session.scalars(rows).unique()) if ids else []
    actions = {ticket.id: allowed_actions(current_user, ticket) for ticket in tickets}
    # The cadres a red ticket may be reassigned to: those of its department, all departments in one query.
    departments = {t.department_id for t in tickets if t.department_id and "assign" in actions[t.id]}
    staff: dict[int, list[User]] = {}
    if departments:
        for cadre in db.session.scalars(
            select(User)
            .where(User.role == Role.CADRE.value, User.active.is_(True), User.department_id.in_(departments))
            .order_by(User.open_tickets, User.name)
        ):
            staff.setdefault(cadre.department_id, []).append(cadre)
    return [
        {
            "ticket": t,
            "actions": actions[t.id],
            "cadres": [c for c in staff.get(t.department_id, []) if c.id != t.assignee_id][:30],
        }
        for t in tickets
    ]


def _jurisdiction_options() -> list[Jurisdiction]:
    scope = _allowed_jurisdictions()
    if scope.nothing:
        return []
    return list(
        db.session.scalars(select(Jurisdiction).where(scope.clause(Jurisdiction.id)).order_by(Jurisdiction.code))
    )


@bp.get("/dashboard")
@role_required(*VIEWERS)
@home_page(Role.SUPERVISOR)
def dashboard():
    """Figures for the viewer's scope: a supervisor's subtree, everything for admins, a cadre's own tickets."""
    now = utcnow()
    filters = read_filters(local_date(now))
    context = {
        "filters": filters,
        "periods": PERIODS,
        "categories": _categories(),
        "jurisdictions": _jurisdiction_options(),
        "colours": WORST_FIRST,
    }
    try:
        board = build_dashboard(
            current_user, jurisdiction_id=filters.jurisdiction_id, as_of=now, **_report_args(filters)
        )
    except DomainError as exc:
        # Only reachable with arguments read_filters let through; shown, never a 500.
        filters.errors["form"] = exc.localized()
        return render_template("reports/dashboard.html", board=None, period_last=None, **context), 422
    series = [(month_label(p.month), p.figures.completion_rate if p.figures else None) for p in board.trend]
    bar_rows = department_bars(board.busiest_departments)
    allowed = _allowed_jurisdictions()
    map_mode = request.args.get("map") if request.args.get("map") in MAP_MODES else "warning"
    battle = battle_map(
        board,
        mode=map_mode,
        english=ui_locale() == "en",
        link=lambda j: (
            url_for("reports.dashboard", **{**filters.args(), "jurisdiction_id": j}) if j in allowed else None
        ),
    )
    return render_template(
        "reports/dashboard.html",
        board=board,
        battle_map=battle,
        map_mode=map_mode,
        period_last=filters.date_to - timedelta(days=1) if filters.date_to else None,
        # Two drawings of each chart: a narrow one for phones, a wide one for desks (CSS shows one).
        trend=charts.line_chart(series, board.target),
        trend_small=charts.line_chart(series, board.target, width=360, height=220),
        bars=charts.bar_chart(bar_rows, board.target),
        bars_small=charts.bar_chart(bar_rows, board.target, width=360, label_width=124, bar_height=18),
        red_rows=_red_tickets(filters, now) if current_user.role != Role.CADRE else [],
        now=now,
        groups=GROUPS,
        **context,
    )


def month_label(month: str) -> str:
    """'2026-02' as people write a month: 2026年2月 / Feb 2026 (Babel, in the UI language)."""
    year, number = (int(part) for part in month.split("-"))
    return format_skeleton("yMMM", date(year, number, 1), locale=ui_locale())


def department_bars(rows: list) -> list[tuple[tuple[str, str | None, str], float | None]]:
    """The department chart's rows, lowest rate first: each named by its short name (自然资源局), with its
    jurisdiction under it when the chart spans several, and its full name to fall back on (charts.bar_labels)."""
    locale = "en" if ui_locale() == "en" else None
    ids = [row.key for row in rows if row.key is not None]
    departments = {d.id: d for d in db.session.scalars(select(Department).where(Department.id.in_(ids)))}
    several = len({d.jurisdiction_id for d in departments.values()}) > 1
    named = []
    for row in sorted(rows, key=lambda r: (r.figures.completion_rate or 0, r.label)):
        department = departments.get(row.key)
        if department is None:
            name = (row.label, None, row.label)
        else:
            group = display_name(department.jurisdiction) if several else None
            name = (department.short_display_name(locale), group, row.label)
        named.append((name, row.figures.completion_rate))
    return named


def _categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.id)))


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
        report = resolution_report(
            current_user, group_by=group_by, jurisdiction_id=filters.jurisdiction_id, as_of=now, **_report_args(filters)
        )
    except DomainError as exc:
        abort(400, description=exc.localized())
    record_security_event(
        SecurityEventKind.REPORT_EXPORTED,
        user=current_user._get_current_object(),
        now=now,
        format=fmt,
        via="page",
        group_by=group_by,
        rows=len(report.rows),
        **filters.args(),
    )
    db.session.commit()
    stamp = local_date(now).isoformat()
    name = f"resolution-{group_by}-{stamp}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "csv":
        # The report and its words are ready: the lines stream without needing the request any more.
        # (Werkzeug adds "; charset=utf-8" to a text/ mimetype itself.)
        lines = report_csv(report, ui_locale(), headers="people")
        return Response(lines, mimetype="text/csv", headers=headers)
    return Response(report_xlsx(report, ui_locale(), headers="people"), headers=headers, mimetype=XLSX_MIMETYPE)


def export_url(fmt: str, filters: Filters, group_by: str) -> str:
    return url_for("reports.export", fmt=fmt, group_by=group_by, **filters.args())


@bp.app_context_processor
def report_helpers():
    return {"export_url": export_url, "display_name": display_name}
