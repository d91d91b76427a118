"""Pages of common issues (共性问题): candidate groups, the list, one common issue (supervisors, admins, the
lead department's cadres), and the helpers the filing form and the ticket page use (similar tickets, the
link shown to the enterprise). A post is load (404 when not visible) → validate → one service call →
commit → redirect; a refusal shows beside its field."""

from __future__ import annotations

import re

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from helpdesk.auth.models import Role
from helpdesk.common_issues.forms import AddTicketsForm, CreateIssueForm, RemoveTicketForm, ResolveIssueForm
from helpdesk.common_issues.models import CommonIssue
from helpdesk.common_issues.queries import (
    candidate_groups_for,
    filter_issues,
    issue_events,
    issue_reach,
    issue_tickets,
    load_visible_issue,
    similar_to_ticket,
    visible_issues,
)
from helpdesk.common_issues.services import (
    MANAGERS,
    add_tickets,
    create_common_issue,
    may_resolve,
    remove_ticket,
    resolve_common_issue,
)
from helpdesk.db import utcnow
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Department, Jurisdiction
from helpdesk.jurisdictions.queries import ancestors, categories_by_code
from helpdesk.jurisdictions.scope import supervised_scope
from helpdesk.pages import check_id, display_name, grouped_options, page_number, role_required, save, url_with
from helpdesk.tickets.models import Ticket

bp = Blueprint("common_issues", __name__)
MANAGER_ROLES = tuple(role.value for role in MANAGERS)
VIEWER_ROLES = (*MANAGER_ROLES, Role.CADRE.value)
PER_PAGE = 20
SHOWN_SIMILAR = 5
RELATED_SCORE = 0.15  # what the ticket page lists from other companies
NUMBER = re.compile(r"[A-Za-z]{1,8}-\d{4}-\d{1,9}")


def lead_department_choices() -> list:
    """Departments of the jurisdictions the user supervises and of those above it (a lead is often higher)."""
    scope = supervised_scope(current_user)
    query = select(Department).join(Jurisdiction).order_by(Jurisdiction.code, Department.id)
    if not scope.everything:
        ids = set(scope.ids or ())
        own = db.session.get(Jurisdiction, current_user.jurisdiction_id) if current_user.jurisdiction_id else None
        if own is not None:
            ids |= {j.id for j in ancestors(own)}
        query = query.where(Department.jurisdiction_id.in_(sorted(ids)))
    groups: dict[str, list] = {"": [("", _("Choose…"))]}
    for department in db.session.scalars(query.options(joinedload(Department.jurisdiction))):
        groups.setdefault(display_name(department.jurisdiction), []).append((department.id, display_name(department)))
    return grouped_options(groups)


def _create_form(group=None, formdata=None) -> CreateIssueForm:
    form = CreateIssueForm(formdata=formdata)
    form.lead_department_id.choices = lead_department_choices()
    if group is not None and formdata is None:
        form.title.data = group.label[:200]
        form.ticket_ids.data = ",".join(str(i) for i in group.ticket_ids)
        form.category.data = group.category or ""
    return form


def _candidates_page(posted: CreateIssueForm | None = None, status: int = 200):
    category = request.args.get("category") or None
    if category not in categories_by_code():
        category = None
    groups = candidate_groups_for(current_user, category=category)
    forms = [_create_form(group) for group in groups]
    if posted is not None:
        for n, form in enumerate(forms):
            if form.ticket_ids.data == posted.ticket_ids.data:
                forms[n] = posted
    tickets = {}
    ids = [i for group in groups for i in group.ticket_ids]
    if ids:
        query = select(Ticket).options(joinedload(Ticket.enterprise)).where(Ticket.id.in_(ids))
        tickets = {t.id: t for t in db.session.scalars(query)}
    return (
        render_template(
            "common_issues/candidates.html",
            groups=list(zip(groups, forms)),
            tickets=tickets,
            categories=categories_by_code().values(),
            category=category,
        ),
        status,
    )


@bp.get("/common-issues/candidates")
@role_required(*MANAGER_ROLES)
def candidates():
    """Groups of similar open tickets of different enterprises: proposals to confirm as common issues."""
    return _candidates_page()


@bp.post("/common-issues")
@role_required(*MANAGER_ROLES)
def create():
    """Create a common issue from a candidate group."""
    form = _create_form(formdata=request.form)
    outcome = save(
        form,
        lambda: create_common_issue(
            current_user,
            title=form.title.data,
            ticket_ids=form.ids(),
            lead_department_id=form.lead_department_id.data,
            description=form.description.data,
            category=form.category.data or None,
        ),
        success=_("The common issue has been created."),
        redirect_to=lambda issue: url_for("common_issues.detail", issue_id=issue.id),
        default_field="title",
    )
    return outcome.response or _candidates_page(posted=form, status=outcome.status)


@bp.get("/common-issues")
@role_required(*VIEWER_ROLES)
def index():
    """Common issues you can see, newest first."""
    status = request.args.get("status") if request.args.get("status") in ("open", "resolved") else None
    query = filter_issues(visible_issues(current_user), status=status).options(
        joinedload(CommonIssue.lead_department), joinedload(CommonIssue.jurisdiction), joinedload(CommonIssue.category)
    )
    page = db.paginate(query, page=page_number(), per_page=PER_PAGE, error_out=False)
    reach = issue_reach(issue.id for issue in page.items)
    return render_template("common_issues/index.html", page=page, reach=reach, status=status, url_with=url_with)


def _detail_page(issue: CommonIssue, forms: dict | None = None, status: int = 200):
    forms = forms or {}
    manager = current_user.role in MANAGER_ROLES and issue.jurisdiction_id in supervised_scope(current_user)
    if issue.is_open and manager:
        forms.setdefault("add", AddTicketsForm())
        forms.setdefault("remove", RemoveTicketForm())
    if issue.is_open and may_resolve(current_user, issue):
        forms.setdefault("resolve", ResolveIssueForm())
    return (
        render_template(
            "common_issues/detail.html",
            issue=issue,
            tickets=issue_tickets(current_user, issue),
            reach=issue_reach([issue.id]).get(issue.id),
            events=issue_events(issue),
            forms=forms,
            now=utcnow(),
        ),
        status,
    )


@bp.get("/common-issues/<int:issue_id>")
@role_required(*VIEWER_ROLES)
def detail(issue_id: int):
    """One common issue: its tickets, history, and what you may do."""
    return _detail_page(load_visible_issue(current_user, check_id(issue_id)))


@bp.post("/common-issues/<int:issue_id>/tickets")
@role_required(*MANAGER_ROLES)
def add(issue_id: int):
    """Add tickets by their numbers."""
    issue = load_visible_issue(current_user, check_id(issue_id))
    form = AddTicketsForm(formdata=request.form)

    def call():
        numbers = NUMBER.findall(form.numbers.data or "")
        found = dict(db.session.execute(select(Ticket.number, Ticket.id).where(Ticket.number.in_(numbers))).all())
        return add_tickets(current_user, issue, [found.get(n, 0) for n in numbers] if numbers else [])

    outcome = save(
        form,
        call,
        success=_("Tickets added."),
        redirect_to=url_for("common_issues.detail", issue_id=issue.id),
        aliases={"ticket_ids": "numbers"},
        default_field="numbers",
    )
    return outcome.response or _detail_page(issue, {"add": form}, outcome.status)


@bp.post("/common-issues/<int:issue_id>/tickets/<int:ticket_id>/remove")
@role_required(*MANAGER_ROLES)
def remove(issue_id: int, ticket_id: int):
    """Take a ticket out of the common issue."""
    issue = load_visible_issue(current_user, check_id(issue_id))
    form = RemoveTicketForm(formdata=request.form)
    outcome = save(
        form,
        lambda: remove_ticket(current_user, issue, check_id(ticket_id)),
        success=_("The ticket has been taken out of the common issue."),
        redirect_to=url_for("common_issues.detail", issue_id=issue.id),
    )
    return outcome.response or _detail_page(issue, {"remove": form}, outcome.status)


@bp.post("/common-issues/<int:issue_id>/resolve")
@role_required(*VIEWER_ROLES)
def resolve(issue_id: int):
    """Resolve the common issue and every linked open ticket with the common note."""
    issue = load_visible_issue(current_user, check_id(issue_id))
    form = ResolveIssueForm(formdata=request.form)
    outcome = save(
        form,
        lambda: resolve_common_issue(current_user, issue, form.resolution_note.data),
        success=lambda tickets: _("Resolved: %(n)s tickets, each enterprise is told.", n=len(tickets)),
        redirect_to=url_for("common_issues.detail", issue_id=issue.id),
        default_field="resolution_note",
    )
    return outcome.response or _detail_page(issue, {"resolve": form}, outcome.status)


# -- helpers of the filing form and the ticket page ------------------------------------------------


def similar_elsewhere(ticket: Ticket) -> list:
    """For a cadre or supervisor on the ticket page: similar tickets of other companies."""
    if not current_user.is_authenticated or current_user.role == Role.ENTERPRISE:
        return []
    found = similar_to_ticket(
        current_user, ticket, limit=SHOWN_SIMILAR, extra=Ticket.enterprise_id != ticket.enterprise_id
    )
    return [s for s in found if s.score >= RELATED_SCORE]


@bp.app_context_processor
def common_issue_helpers():
    return {"similar_elsewhere": similar_elsewhere}
