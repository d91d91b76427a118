"""What each workflow action does beyond its status change: one handler per action of the table in
workflow.py. A handler validates what the action needs, changes the ticket, and returns the facts its
event records. Flush, never commit; domain errors refuse the action and nothing is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from helpdesk.auth.models import Role, User
from helpdesk.calendar.services import get_calendar
from helpdesk.calendar.workdays import local_date
from helpdesk.errors import Conflict, ValidationFailed
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Department
from helpdesk.jurisdictions.scope import supervised_scope
from helpdesk.tickets import deadlines
from helpdesk.tickets.changes import EXTEND_DAYS, apply_route, config, move, respond
from helpdesk.tickets.models import Rating, Status, Ticket, TicketCohandler
from helpdesk.tickets.routing import decision, route


@dataclass
class ActionInput:
    note: str | None = None
    version: int | None = None
    department_id: int | None = None
    assignee_id: int | None = None
    rating: str | None = None
    days: int | None = None


def accept(actor: User, ticket: Ticket, p: ActionInput, now: datetime):  # 签收
    respond(ticket, now)


def assign(actor: User, ticket: Ticket, p: ActionInput, now: datetime):  # 交办
    cadre = db.session.get(User, p.assignee_id)
    if cadre is None or cadre.role != Role.CADRE or not cadre.active:
        raise ValidationFailed("Choose an active cadre.", field="assignee_id")
    if cadre.department.jurisdiction_id not in supervised_scope(actor):
        raise ValidationFailed("That cadre works outside your jurisdiction.", field="assignee_id")
    if cadre.id == ticket.assignee_id:
        raise ValidationFailed("The ticket is already assigned to that cadre.", field="assignee_id")
    ticket.department_id = cadre.department_id
    ticket.handling_jurisdiction_id = cadre.department.jurisdiction_id
    ticket.routing = decision(
        "assignment",
        ticket.category,
        cadre.department.jurisdiction,
        cadre.department,
        cadre,
        department_why="assigned_by_supervisor",
        cadre_why="assigned_by_supervisor",
        by=actor,
    )
    move(ticket, status=Status.ASSIGNED.value, assignee=cadre, assigned_at=now)
    return {"assignee_id": cadre.id, "department_id": cadre.department_id, "routing": ticket.routing}


def transfer(actor: User, ticket: Ticket, p: ActionInput, now: datetime):  # 转办
    department = db.session.get(Department, p.department_id)
    if department is None:
        raise ValidationFailed("No such department.", field="department_id")
    if department.id == ticket.department_id:
        raise ValidationFailed("The ticket is already with that department.", field="department_id")
    result = route(
        ticket.category,
        department.jurisdiction,
        ticket.liaison,
        local_date(now),
        department=department,
        trigger="transfer",
        by=actor,
    )
    apply_route(ticket, result, now)
    return {"department_id": department.id, "assignee_id": ticket.assignee_id, "routing": result.routing}


def escalate(actor: User, ticket: Ticket, p: ActionInput, now: datetime):  # 上报
    current = ticket.handling_jurisdiction
    if current.parent is None:
        raise Conflict("%(name)s is the top level: the ticket cannot be escalated further.", name=current.name)
    result = route(
        ticket.category,
        current.parent,
        ticket.liaison,
        local_date(now),
        trigger="escalation",
        by=actor,
        from_jurisdiction=current,
    )
    apply_route(ticket, result, now)
    return {
        "from_jurisdiction_id": current.id,
        "to_jurisdiction_id": current.parent.id,
        "department_id": result.department.id,
        "assignee_id": ticket.assignee_id,
        "routing": result.routing,
    }


def request_info(actor: User, ticket: Ticket, p: ActionInput, now: datetime):
    respond(ticket, now)
    ticket.paused_at = now


def resume_clock(ticket: Ticket, now: datetime) -> int:
    """Restart a stopped clock: every threshold still ahead moves by the working days spent waiting."""
    cal = get_calendar()
    asked = ticket.paused_at or now
    waited = cal.working_days_between(local_date(asked), local_date(now))
    if waited:
        if ticket.due_at > asked:
            due_day = deadlines.shift_day(cal, ticket.due_at, waited)
            ticket.yellow_from, ticket.due_at, ticket.red_from = deadlines.due_thresholds(
                cal, due_day, config("RED_AFTER_DAYS")
            )
        elif ticket.red_from > asked:
            # Already late when asked: only the step to red is still ahead.
            red_day = deadlines.shift_day(cal, ticket.red_from - timedelta(seconds=1), waited)
            ticket.red_from = deadlines.end_of_day(red_day) + timedelta(seconds=1)
        if ticket.first_response_at is None and ticket.response_due_at > asked:
            ticket.response_due_at = deadlines.end_of_day(deadlines.shift_day(cal, ticket.response_due_at, waited))
    ticket.paused_at = None
    return waited


def nothing(actor: User, ticket: Ticket, p: ActionInput, now: datetime):
    """provide_info, withdraw, decline: the status change (and the clock) is all there is."""


def add_cohandler(actor: User, ticket: Ticket, p: ActionInput, now: datetime):  # 协办
    department = db.session.get(Department, p.department_id)
    if department is None:
        raise ValidationFailed("No such department.", field="department_id")
    if department.id == ticket.department_id or any(c.department_id == department.id for c in ticket.cohandlers):
        raise ValidationFailed("That department already handles this ticket.", field="department_id")
    ticket.cohandlers.append(TicketCohandler(department_id=department.id, added_by_id=actor.id, created_at=now))
    return {"department_id": department.id}


def resolve(actor: User, ticket: Ticket, p: ActionInput, now: datetime):  # 办结
    respond(ticket, now)
    ticket.resolved_at = now


def confirm(actor: User, ticket: Ticket, p: ActionInput, now: datetime):  # 销号
    if p.rating not in {r.value for r in Rating}:
        raise ValidationFailed("Rating must be satisfied, basically_satisfied or dissatisfied.", field="rating")
    ticket.rating = p.rating
    ticket.closed_at = now
    return {"rating": p.rating}


def reopen(actor: User, ticket: Ticket, p: ActionInput, now: datetime):  # 重办
    ticket.reopen_count = (ticket.reopen_count or 0) + 1
    ticket.resolved_at = None
    _leave_common_issue(actor, ticket, now)
    return {"reopen_count": ticket.reopen_count}


def _leave_common_issue(actor: User, ticket: Ticket, now: datetime) -> None:
    """A reopened ticket is no longer solved by its common issue: it leaves the group, to be worked alone."""
    if ticket.common_issue_id is not None:
        from helpdesk.common_issues.services import leave_on_reopen

        leave_on_reopen(actor, ticket, now)


def reopen_on_callback(actor: User, ticket: Ticket, p: ActionInput, now: datetime):  # 回访未解决，重办
    """A callback found it not solved: back to work, resolved or closed alike."""
    ticket.reopen_count = (ticket.reopen_count or 0) + 1
    ticket.resolved_at = None
    ticket.closed_at = None
    _leave_common_issue(actor, ticket, now)
    return {"reopen_count": ticket.reopen_count}


def urge(actor: User, ticket: Ticket, p: ActionInput, now: datetime):  # 督办
    ticket.urge_count = (ticket.urge_count or 0) + 1
    return {"urge_count": ticket.urge_count}


def extend(actor: User, ticket: Ticket, p: ActionInput, now: datetime):  # 延期
    low, high = EXTEND_DAYS
    if not isinstance(p.days, int) or not low <= p.days <= high:
        raise ValidationFailed("Extend by %(low)s to %(high)s working days.", field="days", low=low, high=high)
    cal = get_calendar()
    old_due = ticket.due_at
    due_day = deadlines.shift_day(cal, ticket.due_at, p.days)
    ticket.yellow_from, ticket.due_at, ticket.red_from = deadlines.due_thresholds(
        cal, due_day, config("RED_AFTER_DAYS")
    )
    return {"days": p.days, "from_due_at": old_due.isoformat(), "to_due_at": ticket.due_at.isoformat()}


def auto_close(actor: User | None, ticket: Ticket, p: ActionInput, now: datetime):
    ticket.closed_at = now
