"""Common-issue verbs (共性问题): create one from tickets, change it, add and remove tickets, resolve it once.
Flush, never commit.

Supervisors of the owning jurisdiction's subtree (or above) and admins manage a common issue; a cadre of
its lead department (牵头单位) or a supervisor resolves it. Resolving takes the workflow's `resolve_common`
row for every linked open ticket (perform_action: its own event, its notice to its enterprise); each
enterprise still confirms or reopens its own, and a reopened ticket leaves the group (actions.reopen).
Every change is a CommonIssueEvent and, for the tickets it touches, a ticket event
(`common_issue_linked` 已并入共性问题 / `common_issue_unlinked` 移出共性问题).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from helpdesk.auth.models import Role, User
from helpdesk.common_issues.models import CommonIssue, CommonIssueEvent, IssueStatus
from helpdesk.db import utcnow
from helpdesk.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Department, Jurisdiction
from helpdesk.jurisdictions.queries import categories_by_code, jurisdiction_tree, subtree_ids
from helpdesk.jurisdictions.scope import supervised_scope
from helpdesk.tickets.changes import NOTE_LENGTH, TITLE_LENGTH, check_length, flush, record
from helpdesk.tickets.models import OPEN_STATUSES, Ticket
from helpdesk.tickets.queries import visible_tickets
from helpdesk.tickets.services import perform_action

MANAGERS = (Role.SUPERVISOR, Role.ADMIN)
MANAGERS_ONLY = "Common issues are managed by supervisors and admins."
DESCRIPTION_MAX = 5000
MAX_TICKETS = 200  # tickets named in one request


def _event(issue: CommonIssue, action: str, actor: User | None, now: datetime, ticket_id=None, note=None, **data):
    db.session.add(
        CommonIssueEvent(
            common_issue_id=issue.id,
            actor_id=actor.id if actor else None,
            action=action,
            ticket_id=ticket_id,
            note=note,
            data=data or None,
            created_at=now,
        )
    )


def check_manager(actor: User, issue: CommonIssue | None = None) -> None:
    """NotAllowed unless `actor` supervises the common issue's jurisdiction (or may create one)."""
    if actor.role not in MANAGERS:
        raise NotAllowed(MANAGERS_ONLY)
    if issue is not None and issue.jurisdiction_id not in supervised_scope(actor):
        raise NotAllowed("That common issue belongs to a jurisdiction outside yours.")


def may_resolve(actor: User, issue: CommonIssue) -> bool:
    """A cadre of the lead department, a supervisor of the owning jurisdiction, or an admin."""
    if actor.role == Role.CADRE:
        return actor.department_id == issue.lead_department_id
    return actor.role in MANAGERS and issue.jurisdiction_id in supervised_scope(actor)


def _check_open(issue: CommonIssue) -> None:
    if not issue.is_open:
        raise Conflict("The common issue is resolved: it cannot change any more.")


def _text(title: str | None, description: str | None) -> tuple[str, str]:
    return check_length(title, "title", TITLE_LENGTH), check_length(description, "description", (0, DESCRIPTION_MAX))


def _category_id(code: str | None) -> int | None:
    if not code:
        return None
    category = categories_by_code().get(code)
    if category is None:
        raise ValidationFailed("Unknown category %(code)r.", field="category", code=code)
    return category.id


def _lead_department(department_id: int | None) -> Department:
    department = db.session.get(Department, department_id) if department_id else None
    if department is None:
        raise ValidationFailed("Choose the lead department.", field="lead_department_id")
    return department


def _tickets(actor: User, ticket_ids: Iterable[int], jurisdiction_id: int) -> list[Ticket]:
    """The named tickets, all visible to `actor` and in the owning jurisdiction's subtree; 422 otherwise."""
    ids = sorted(set(ticket_ids or ()))
    if not ids:
        raise ValidationFailed("Name at least one ticket.", field="ticket_ids")
    if len(ids) > MAX_TICKETS:
        raise ValidationFailed("At most %(n)s tickets at a time.", field="ticket_ids", n=MAX_TICKETS)
    found = list(db.session.scalars(visible_tickets(actor).where(Ticket.id.in_(ids)).order_by(Ticket.id)))
    missing = sorted(set(ids) - {t.id for t in found})
    if missing:
        raise ValidationFailed(
            "No such ticket among those you can see: %(ids)s.", field="ticket_ids", ids=", ".join(map(str, missing))
        )
    subtree = subtree_ids(jurisdiction_id)
    outside = [t.number for t in found if t.jurisdiction_id not in subtree]
    if outside:
        raise ValidationFailed(
            "Outside the common issue's jurisdiction: %(numbers)s.", field="ticket_ids", numbers=", ".join(outside)
        )
    return found


def _common_ancestor(actor: User, ticket_ids: Iterable[int]) -> int | None:
    """The lowest jurisdiction above every named ticket's county (an admin's common issue, which names none)."""
    ids = sorted(set(ticket_ids or ()))[:MAX_TICKETS]
    counties = set(
        db.session.scalars(visible_tickets(actor).with_only_columns(Ticket.jurisdiction_id).where(Ticket.id.in_(ids)))
    )
    tree = jurisdiction_tree()
    chains = []
    for county in counties:
        chain, node = [], tree.by_id.get(county)
        while node is not None:
            chain.append(node.id)
            node = tree.by_id.get(node.parent_id) if node.parent_id is not None else None
        chains.append(chain)
    if not chains:
        return None
    shared = set(chains[0]).intersection(*chains[1:])
    return next((j for j in chains[0] if j in shared), None)  # the chain runs upwards: the first is the lowest


def _link(actor: User, issue: CommonIssue, ticket: Ticket, now: datetime) -> None:
    if ticket.common_issue_id == issue.id:
        raise Conflict("%(number)s is already in this common issue.", number=ticket.number)
    if ticket.common_issue_id is not None:
        raise Conflict("%(number)s is already in another common issue.", number=ticket.number)
    if ticket.status not in OPEN_STATUSES:
        raise Conflict("%(number)s is no longer open: only open tickets join a common issue.", number=ticket.number)
    ticket.common_issue_id = issue.id
    ticket.common_issue = issue
    ticket.updated_at = now
    flush()  # the ticket's versioned UPDATE: a concurrent change is a Conflict
    record(ticket, "common_issue_linked", actor, ticket.status, now, issue.title, common_issue_id=issue.id)
    _event(issue, "ticket_added", actor, now, ticket_id=ticket.id)


def _unlink(actor: User | None, issue: CommonIssue, ticket: Ticket, now: datetime, reason: str) -> None:
    ticket.common_issue_id = None
    ticket.common_issue = None
    ticket.updated_at = now
    record(ticket, "common_issue_unlinked", actor, ticket.status, now, issue.title, common_issue_id=issue.id)
    _event(issue, reason, actor, now, ticket_id=ticket.id)


def create_common_issue(
    actor: User,
    *,
    title: str,
    ticket_ids: Iterable[int],
    lead_department_id: int | None,
    description: str | None = "",
    category: str | None = None,
    jurisdiction_id: int | None = None,
    now: datetime | None = None,
) -> CommonIssue:
    """A common issue of the named tickets (all visible to `actor`, open, in no other common issue)."""
    now = now or utcnow()
    check_manager(actor)
    jurisdiction_id = jurisdiction_id or actor.jurisdiction_id or _common_ancestor(actor, ticket_ids)
    if jurisdiction_id is None or db.session.get(Jurisdiction, jurisdiction_id) is None:
        raise ValidationFailed("Choose the jurisdiction that owns the common issue.", field="jurisdiction_id")
    if jurisdiction_id not in supervised_scope(actor):
        raise ValidationFailed("That jurisdiction is outside yours.", field="jurisdiction_id")
    title, description = _text(title, description)
    category_id = _category_id(category)
    department = _lead_department(lead_department_id)
    tickets = _tickets(actor, ticket_ids, jurisdiction_id)
    if category_id is None:
        category_id = Counter(t.category_id for t in tickets).most_common(1)[0][0]
    issue = CommonIssue(
        title=title,
        description=description,
        category_id=category_id,
        jurisdiction_id=jurisdiction_id,
        lead_department_id=department.id,
        lead_department=department,
        status=IssueStatus.OPEN.value,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(issue)
    db.session.flush()
    _event(issue, "created", actor, now, ticket_ids=[t.id for t in tickets])
    for ticket in tickets:
        _link(actor, issue, ticket, now)
    flush()
    return issue


def update_common_issue(actor: User, issue: CommonIssue, now: datetime | None = None, **values) -> CommonIssue:
    """Change title, description, category or lead department of an open common issue."""
    now = now or utcnow()
    check_manager(actor, issue)
    _check_open(issue)
    changed = {}
    if "title" in values or "description" in values:
        title, description = _text(values.get("title", issue.title), values.get("description", issue.description))
        for name, value in (("title", title), ("description", description)):
            if value != getattr(issue, name):
                changed[name] = value
    if "category" in values:
        category_id = _category_id(values["category"])
        if category_id != issue.category_id:
            changed["category_id"] = category_id
    if "lead_department_id" in values:
        department = _lead_department(values["lead_department_id"])
        if department.id != issue.lead_department_id:
            changed["lead_department_id"] = department.id
    for name, value in changed.items():
        setattr(issue, name, value)
    if changed:
        issue.updated_at = now
        _event(issue, "updated", actor, now, **changed)
        flush()
    return issue


def add_tickets(actor: User, issue: CommonIssue, ticket_ids: Iterable[int], now: datetime | None = None) -> CommonIssue:
    """Link more tickets to an open common issue."""
    now = now or utcnow()
    check_manager(actor, issue)
    _check_open(issue)
    for ticket in _tickets(actor, ticket_ids, issue.jurisdiction_id):
        _link(actor, issue, ticket, now)
    issue.updated_at = now
    flush()
    return issue


def remove_ticket(actor: User, issue: CommonIssue, ticket_id: int, now: datetime | None = None) -> CommonIssue:
    """Take a ticket out of an open common issue: it is worked on its own again."""
    now = now or utcnow()
    check_manager(actor, issue)
    ticket = db.session.scalar(visible_tickets(actor).where(Ticket.id == ticket_id))
    if ticket is None or ticket.common_issue_id != issue.id:
        raise NotFound("No such ticket in this common issue.")
    _check_open(issue)
    _unlink(actor, issue, ticket, now, "ticket_removed")
    issue.updated_at = now
    flush()
    return issue


def leave_on_reopen(actor: User | None, ticket: Ticket, now: datetime) -> None:
    """Called by the reopen actions: the reopened ticket leaves its common issue."""
    with db.session.no_autoflush:  # the ticket is half-changed (resolved, without resolved_at) until its move
        issue = ticket.common_issue
    if issue is not None:
        _unlink(actor, issue, ticket, now, "ticket_left")


def resolve_common_issue(
    actor: User, issue: CommonIssue, resolution_note: str | None, now: datetime | None = None
) -> list[Ticket]:
    """Resolve the common issue and, with the common note, every linked open ticket (each through the
    workflow: its event and its enterprise's notice). The tickets resolved."""
    now = now or utcnow()
    if not may_resolve(actor, issue):
        raise NotAllowed("Only a cadre of the lead department or a supervisor may resolve the common issue.")
    _check_open(issue)
    note = check_length(resolution_note, "resolution_note", (1, NOTE_LENGTH))
    tickets = list(db.session.scalars(select(Ticket).where(Ticket.common_issue_id == issue.id).order_by(Ticket.id)))
    resolved = []
    for ticket in tickets:
        if ticket.status in OPEN_STATUSES:
            perform_action(actor, ticket, "resolve_common", note=note, now=now)
            resolved.append(ticket)
    issue.status = IssueStatus.RESOLVED.value
    issue.resolution_note = note
    issue.resolved_at = issue.updated_at = now
    _event(issue, "resolved", actor, now, note=note, ticket_ids=[t.id for t in resolved])
    flush()
    return resolved
