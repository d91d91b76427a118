"""Ticket lists and filing: every visible ticket with filters, the enterprise portal, the cadre workbench,
the filing form. The ticket page itself is in detail.py (same blueprint)."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import case, or_, select

from helpdesk import labels
from helpdesk.attachments.services import (
    discard_file,
    store_attachment,
)
from helpdesk.auth.models import Role
from helpdesk.calendar.workdays import local_date
from helpdesk.common_issues.queries import own_similar_open
from helpdesk.db import utcnow
from helpdesk.enterprises.models import Enterprise
from helpdesk.enterprises.queries import visible_enterprises
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Category, Jurisdiction
from helpdesk.jurisdictions.scope import supervised_scope
from helpdesk.pages import (
    PER_PAGE,
    arg_id,
    as_id,
    display_name,
    home_page,
    options,
    page_number,
    query_text,
    role_required,
    save,
    ui_locale,
)
from helpdesk.tickets.forms import FileTicketForm
from helpdesk.tickets.models import (
    OPEN_STATUSES,
    WORST_FIRST,
    Colour,
    Status,
    Ticket,
    TicketCohandler,
)
from helpdesk.tickets.queries import filter_tickets, visible_tickets
from helpdesk.tickets.services import file_ticket
from helpdesk.tickets.workflow import EVENT_LABELS

bp = Blueprint("tickets", __name__)

OPEN_VALUES = [s.value for s in OPEN_STATUSES]


# -- template helpers ------------------------------------------------------------------------------


@bp.app_context_processor
def action_helpers():
    return {"action_label": lambda action: str(EVENT_LABELS.get(action, action or ""))}


def colour_rank(now):
    return Ticket.colour_rank_sql(now)


# -- lists -----------------------------------------------------------------------------------------


def _categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.id)))


def _filtered_tickets(query, now):
    """Apply the list filters of the query string; values that make no sense are ignored."""
    args = request.args
    status = args.get("status", "")
    statuses = OPEN_VALUES if status == "open" else [status] if status in {s.value for s in Status} else None
    warning = args.get("warning", "")
    query = filter_tickets(
        query,
        now=now,
        statuses=statuses,
        category=query_text("category", 30) or None,
        warning=warning if warning in {c.value for c in Colour} else None,
        enterprise_id=arg_id("enterprise_id") or None,
        department_id=arg_id("department_id") or None,
        assignee_id=current_user.id if args.get("assignee") == "me" else None,
        jurisdiction_id=arg_id("jurisdiction_id") or None,
        q=query_text() or None,
    )
    if args.get("sort") == "due":
        query = query.order_by(colour_rank(now), Ticket.due_at, Ticket.id)
    else:
        query = query.order_by(Ticket.created_at.desc(), Ticket.id.desc())
    return query


@bp.get("/tickets")
@login_required
def index():
    """Every ticket the user may see, with filters (status, colour, category, jurisdiction, search)."""
    now = utcnow()
    query = _filtered_tickets(visible_tickets(current_user), now)
    page = db.paginate(query, page=page_number(), per_page=PER_PAGE, error_out=False)
    jurisdictions = []
    supervised = supervised_scope(current_user)
    if not supervised.nothing:
        q = select(Jurisdiction).where(supervised.clause(Jurisdiction.id)).order_by(Jurisdiction.code)
        jurisdictions = list(db.session.scalars(q))
    return render_template(
        "tickets/index.html",
        page=page,
        now=now,
        categories=_categories(),
        jurisdictions=jurisdictions,
        statuses=list(labels.STATUS_LABELS),
        colours=WORST_FIRST,
    )


@bp.get("/my-issues")
@role_required(Role.ENTERPRISE.value)
@home_page(Role.ENTERPRISE)
def my_issues():
    """The enterprise portal: what needs the company's answer first, then every issue."""
    now = utcnow()
    mine = visible_tickets(current_user)
    waiting = list(
        db.session.scalars(
            mine.where(Ticket.status.in_([Status.RESOLVED.value, Status.AWAITING_ENTERPRISE.value])).order_by(
                Ticket.updated_at.desc()
            )
        )
    )
    query = mine.order_by(case((Ticket.status.in_(OPEN_VALUES), 0), else_=1), Ticket.created_at.desc(), Ticket.id)
    page = db.paginate(query, page=page_number(), per_page=PER_PAGE, error_out=False)
    return render_template("tickets/my_issues.html", waiting=waiting, page=page, now=now)


@bp.get("/workbench")
@role_required(Role.CADRE.value)
@home_page(Role.CADRE)
def workbench():
    """The cadre's workbench: my queue by colour and deadline, my department's queue, my companies' tickets."""
    now = utcnow()
    me = current_user
    rank = colour_rank(now)
    open_ = Ticket.status.in_(OPEN_VALUES)
    mine = list(
        db.session.scalars(
            select(Ticket).where(Ticket.assignee_id == me.id, open_).order_by(rank, Ticket.due_at, Ticket.id)
        )
    )
    department_queue = list(
        db.session.scalars(
            select(Ticket)
            .where(Ticket.department_id == me.department_id, Ticket.assignee_id.is_(None), open_)
            .order_by(rank, Ticket.due_at, Ticket.id)
            .limit(100)
        )
    )
    cohandled_ids = select(TicketCohandler.ticket_id).where(TicketCohandler.department_id == me.department_id)
    cohandled = list(
        db.session.scalars(
            select(Ticket).where(Ticket.id.in_(cohandled_ids), open_).order_by(rank, Ticket.due_at).limit(100)
        )
    )
    followed = list(
        db.session.scalars(
            select(Ticket)
            .where(Ticket.liaison_id == me.id, or_(Ticket.assignee_id.is_(None), Ticket.assignee_id != me.id), open_)
            .order_by(rank, Ticket.due_at)
            .limit(100)
        )
    )
    recent = list(
        db.session.scalars(
            select(Ticket)
            .where(Ticket.assignee_id == me.id, Ticket.status.in_([Status.RESOLVED.value, Status.CLOSED.value]))
            .order_by(Ticket.resolved_at.desc())
            .limit(10)
        )
    )
    counts = {c.value: 0 for c in WORST_FIRST}
    for ticket in mine:
        colour = ticket.warning_at(now)
        if colour:
            counts[colour.value] += 1
    return render_template(
        "tickets/workbench.html",
        now=now,
        today=local_date(now),
        mine=mine,
        department_queue=department_queue,
        cohandled=cohandled,
        followed=followed,
        recent=recent,
        counts=counts,
        colours=WORST_FIRST,
    )


# -- filing ----------------------------------------------------------------------------------------


def _enterprise_choices(form: FileTicketForm) -> None:
    """The enterprises a government user may file for: paired ones first, then key ones, by name."""
    query = visible_enterprises(current_user)
    q = query_text()
    if q:
        query = query.where(or_(Enterprise.name.ilike(f"%{q}%"), Enterprise.credit_code.ilike(f"%{q}%")))
    query = query.order_by(
        case((Enterprise.liaison_id == current_user.id, 0), else_=1), Enterprise.is_key.desc(), Enterprise.name
    ).limit(200)
    enterprises = list(db.session.scalars(query))
    wanted = as_id(request.values.get("enterprise_id"))
    if wanted and all(e.id != wanted for e in enterprises):
        extra = db.session.scalar(visible_enterprises(current_user).where(Enterprise.id == wanted))
        if extra is not None:
            enterprises.insert(0, extra)
    form.enterprise_id.choices = options(
        [("", _("Choose an enterprise…"))] + [(e.id, f"{e.name} ({e.credit_code})") for e in enterprises]
    )
    if request.method == "GET" and wanted:
        form.enterprise_id.data = wanted


def _uploads(field_name: str = "attachments"):
    return [f for f in request.files.getlist(field_name) if f and f.filename]


@bp.route("/tickets/new", methods=["GET", "POST"])
@login_required
def new():
    """File an issue: the enterprise for itself; cadres, supervisors and admins on behalf of one they can see."""
    form = FileTicketForm()
    categories = _categories()
    form.category.choices = options((c.code, display_name(c)) for c in categories)
    if current_user.role == Role.ENTERPRISE:
        del form.enterprise_id
    else:
        _enterprise_choices(form)
    status = 200
    similar = []
    if request.method == "POST" and current_user.role == Role.ENTERPRISE and not form.submit_anyway.data:
        # Before it files: the company's own open issues that look the same (asked once; "submit anyway").
        if form.validate():
            similar = own_similar_open(current_user, form.title.data, form.description.data, form.category.data)
    if request.method == "POST" and not similar:
        stored = []

        def call():
            ticket = file_ticket(
                current_user,
                category=form.category.data,
                title=form.title.data,
                description=form.description.data,
                priority=form.priority.data,
                enterprise_id=form.enterprise_id.data if form.enterprise_id else None,
            )
            stored.extend(store_attachment(current_user, ticket, upload) for upload in _uploads())
            return ticket

        def discard(exc):
            for attachment in stored:  # the ticket was not filed: its files go too
                discard_file(attachment)

        outcome = save(
            form,
            call,
            success=lambda ticket: _("Issue %(number)s has been filed.", number=ticket.number),
            redirect_to=lambda ticket: url_for("tickets.detail", ticket_id=ticket.id),
            aliases={"file": "attachments"},
            on_error=discard,
        )
        if outcome.response:
            return outcome.response
        status = 422 if outcome.status == 404 else outcome.status
    helps = {c.code: (c.help_en if ui_locale() == "en" else c.help) for c in categories}
    limits = {c.code: c.resolution_days for c in categories}
    return render_template("tickets/new.html", form=form, helps=helps, limits=limits, similar=similar), status
