"""Ticket verbs: file, act on, comment, and the periodic sweep. Flush, never commit.

The caller (a page, an API endpoint, a command) owns the transaction: one action and its ticket
event are committed together or not at all. Services take the acting user and `now` explicitly
and raise domain errors, never HTTP ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from helpdesk.auth.models import Role, User
from helpdesk.calendar.service import get_calendar
from helpdesk.calendar.workdays import local_date
from helpdesk.db import utcnow
from helpdesk.enterprises.models import Enterprise
from helpdesk.errors import Conflict, NotAllowed, ValidationFailed
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Category, Department, Jurisdiction
from helpdesk.jurisdictions.queries import subtree_ids, ticket_prefix
from helpdesk.notifications.services import notify, send_digest
from helpdesk.tickets import deadlines
from helpdesk.tickets.models import (
    OPEN_STATUSES,
    WARNING_RANK,
    Colour,
    Comment,
    Priority,
    Rating,
    Status,
    Ticket,
    TicketCohandler,
    TicketEvent,
    TicketSequence,
)
from helpdesk.tickets.queries import enterprise_visibility
from helpdesk.tickets.routing import Route, route
from helpdesk.tickets.workflow import TRANSITIONS, USER_ACTIONS, Party, guard, parties

TITLE_LENGTH = (5, 200)
DESCRIPTION_LENGTH = (10, 5000)
NOTE_LENGTH = 5000
EXTEND_DAYS = (1, 30)
# Government-internal steps: hidden from enterprise users in the history.
INTERNAL_ACTIONS = frozenset({"urge", "add_cohandler"})


def _config(name: str):
    return current_app.config[name]


def _check_length(value: str | None, field_name: str, bounds: tuple[int, int]) -> str:
    value = (value or "").strip()
    low, high = bounds
    if len(value) < low:
        raise ValidationFailed(f"Shorter than minimum length {low}.", field=field_name)
    if len(value) > high:
        raise ValidationFailed(f"Longer than maximum length {high}.", field=field_name)
    return value


def _flush() -> None:
    """Flush, turning a concurrent change of the same ticket into a conflict."""
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise Conflict("The ticket was changed by someone else at the same time. Reload it and try again.") from exc


# -- ticket numbers -------------------------------------------------------------------------------


def next_sequence(prefix: str, year: int) -> int:
    """The next number for (prefix, year); the row lock it takes makes numbers gapless under concurrency."""
    for _attempt in range(5):
        value = db.session.execute(
            update(TicketSequence)
            .where(TicketSequence.prefix == prefix, TicketSequence.year == year)
            .values(last_value=TicketSequence.last_value + 1)
            .returning(TicketSequence.last_value)
        ).scalar()
        if value is not None:
            return value
        try:
            with db.session.begin_nested():
                db.session.add(TicketSequence(prefix=prefix, year=year, last_value=1))
            return 1
        except IntegrityError:
            continue  # another filing created the row first: increment it instead
    raise Conflict("Could not allocate a ticket number; try again.")


# -- open-ticket counters kept on cadres (routing picks the least loaded) -------------------------


def _bump_open(user_id: int | None, delta: int) -> None:
    if user_id is not None and delta:
        _flush()  # the ticket's own versioned UPDATE first: a concurrent change is then a Conflict
        db.session.execute(update(User).where(User.id == user_id).values(open_tickets=User.open_tickets + delta))


def _move(ticket: Ticket, *, status: str | None = None, assignee: User | None | bool = False) -> None:
    """Change status and/or assignee, keeping each cadre's open count equal to its open tickets."""
    old_open = ticket.status in OPEN_STATUSES
    old_assignee = ticket.assignee_id
    if status is not None:
        ticket.status = status
    if assignee is not False:
        ticket.assignee = assignee
        ticket.assignee_id = assignee.id if assignee is not None else None
    new_open = ticket.status in OPEN_STATUSES
    if old_assignee != ticket.assignee_id:
        _bump_open(old_assignee, -1 if old_open else 0)
        _bump_open(ticket.assignee_id, 1 if new_open else 0)
    elif old_open != new_open:
        _bump_open(ticket.assignee_id, 1 if new_open else -1)


def _record(ticket, action, actor, from_status, now, note=None, internal=False, **data) -> TicketEvent:
    event = TicketEvent(
        ticket=ticket,
        ticket_id=ticket.id,
        action=action,
        actor_id=actor.id if actor else None,
        from_status=from_status,
        to_status=ticket.status,
        note=note,
        internal=internal,
        data=data or None,
        created_at=now,
    )
    db.session.add(event)
    return event


def _apply_route(ticket: Ticket, result: Route, now: datetime) -> None:
    ticket.department_id = result.department.id
    ticket.department = result.department
    ticket.handling_jurisdiction_id = result.department.jurisdiction_id
    ticket.handling_jurisdiction = result.department.jurisdiction
    ticket.routing_reason = result.reason
    _move(ticket, status=Status.ASSIGNED if result.assignee else Status.SUBMITTED, assignee=result.assignee)
    if result.assignee is not None:
        db.session.execute(update(User).where(User.id == result.assignee.id).values(last_assigned_at=now))


# -- filing --------------------------------------------------------------------------------------


def file_ticket(
    actor: User,
    *,
    category: str,
    title: str,
    description: str,
    priority: str = Priority.NORMAL.value,
    enterprise_id: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """File an issue: validate, number it, route it (§4), set its deadlines (§5), record `file`."""
    now = now or utcnow()
    if actor.role == Role.ENTERPRISE:
        if enterprise_id is not None and enterprise_id != actor.enterprise_id:
            raise ValidationFailed("An enterprise user files for its own company only.", field="enterprise_id")
        enterprise_id = actor.enterprise_id
    elif enterprise_id is None:
        raise ValidationFailed("Name the enterprise you file for.", field="enterprise_id")
    enterprise = db.session.scalar(
        select(Enterprise).where(Enterprise.id == enterprise_id, enterprise_visibility(actor))
    )
    if enterprise is None:
        raise ValidationFailed("No such enterprise among those you can see.", field="enterprise_id")
    category_obj = db.session.scalar(select(Category).where(Category.code == category))
    if category_obj is None:
        raise ValidationFailed(f"Unknown category {category!r}.", field="category")
    title = _check_length(title, "title", TITLE_LENGTH)
    description = _check_length(description, "description", DESCRIPTION_LENGTH)
    if priority not in {p.value for p in Priority}:
        raise ValidationFailed("Priority must be normal or urgent.", field="priority")

    cal = get_calendar()
    county: Jurisdiction = enterprise.jurisdiction
    limits = deadlines.initial_thresholds(
        cal, now, category_obj.response_days, category_obj.resolution_days, _config("RED_AFTER_DAYS")
    )
    prefix, year = ticket_prefix(county), local_date(now).year
    seq = next_sequence(prefix, year)
    ticket = Ticket(
        number=f"{prefix}-{year}-{seq:06d}",
        number_prefix=prefix,
        number_year=year,
        number_seq=seq,
        title=title,
        description=description,
        category=category_obj,
        category_id=category_obj.id,
        priority=priority,
        status=Status.SUBMITTED.value,
        enterprise=enterprise,
        enterprise_id=enterprise.id,
        jurisdiction_id=county.id,
        handling_jurisdiction_id=county.id,
        liaison_id=enterprise.liaison_id,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
        response_due_at=limits.response_due_at,
        yellow_from=limits.yellow_from,
        due_at=limits.due_at,
        red_from=limits.red_from,
        reopen_count=0,
        urge_count=0,
    )
    db.session.add(ticket)
    _flush()
    result = route(category_obj, county, enterprise.liaison, local_date(now))
    _apply_route(ticket, result, now)
    _record(
        ticket,
        "file",
        actor,
        None,
        now,
        routing_reason=result.reason,
        department_id=result.department.id,
        assignee_id=ticket.assignee_id,
    )
    _flush()
    if ticket.assignee is not None:
        notify([ticket.assignee], "assigned", ticket, now=now)
    return ticket


# -- actions -------------------------------------------------------------------------------------


@dataclass
class ActionInput:
    note: str | None = None
    version: int | None = None
    department_id: int | None = None
    assignee_id: int | None = None
    rating: str | None = None
    days: int | None = None


def acting_parties(actor: User | None, ticket: Ticket) -> set[Party]:
    supervised = (
        frozenset(subtree_ids(actor.jurisdiction_id)) if actor and actor.role == Role.SUPERVISOR else frozenset()
    )
    return parties(actor, ticket, supervised)


def allowed_actions(actor: User, ticket: Ticket) -> list[str]:
    """The actions this user may take on this ticket now (for the pages' buttons)."""
    mine = acting_parties(actor, ticket)
    return [a for a in USER_ACTIONS if mine & TRANSITIONS[a].who and ticket.status in TRANSITIONS[a].from_statuses]


def perform_action(
    actor: User | None,
    ticket: Ticket,
    action: str,
    *,
    note: str | None = None,
    version: int | None = None,
    department_id: int | None = None,
    assignee_id: int | None = None,
    rating: str | None = None,
    days: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Run one workflow action (§3) with its ticket event; conflicts and refusals write nothing."""
    now = now or utcnow()
    transition = guard(action, ticket, acting_parties(actor, ticket), version)
    params = ActionInput(note, version, department_id, assignee_id, rating, days)
    if transition.needs_note:
        if not (note or "").strip():
            raise ValidationFailed(f"{action} needs a note.", field="note")  # labels.NOTE_NEEDED translates it
        params.note = _check_length(note, "note", (1, NOTE_LENGTH))
    elif note is not None:
        params.note = _check_length(note, "note", (0, NOTE_LENGTH)) or None
    for needed in transition.needs:
        if getattr(params, needed) is None:
            raise ValidationFailed("Missing data for required field.", field=needed)
    from_status = ticket.status
    handler = _HANDLERS[action]
    extra = handler(actor, ticket, transition, params, now) or {}
    if from_status == Status.AWAITING_ENTERPRISE and transition.to_status is not None:
        # Leaving "awaiting the enterprise" by any route (answer, transfer, withdrawal…) restarts the clock.
        extra["waited_working_days"] = _resume_clock(ticket, now)
    if transition.to_status is not None and action not in ("transfer", "escalate", "assign"):
        _move(ticket, status=transition.to_status.value)
    ticket.updated_at = now
    _record(ticket, action, actor, from_status, now, params.note, action in INTERNAL_ACTIONS, **extra)
    _flush()
    _after(action, ticket, params, now)
    return ticket


def _respond(ticket: Ticket, now: datetime) -> None:
    if ticket.first_response_at is None:
        ticket.first_response_at = now


def _accept(actor, ticket, t, p, now):
    _respond(ticket, now)


def _assign(actor, ticket, t, p, now):
    cadre = db.session.get(User, p.assignee_id)
    scope = subtree_ids(actor.jurisdiction_id) if actor.role == Role.SUPERVISOR else None
    if cadre is None or cadre.role != Role.CADRE or not cadre.active:
        raise ValidationFailed("Choose an active cadre.", field="assignee_id")
    if scope is not None and cadre.department.jurisdiction_id not in scope:
        raise ValidationFailed("That cadre works outside your jurisdiction.", field="assignee_id")
    if cadre.id == ticket.assignee_id:
        raise ValidationFailed("The ticket is already assigned to that cadre.", field="assignee_id")
    ticket.department_id = cadre.department_id
    ticket.handling_jurisdiction_id = cadre.department.jurisdiction_id
    ticket.routing_reason = f"assigned by {actor.name} to {cadre.name} ({cadre.department.name})"
    _move(ticket, status=Status.ASSIGNED.value, assignee=cadre)
    db.session.execute(update(User).where(User.id == cadre.id).values(last_assigned_at=now))
    return {"assignee_id": cadre.id, "department_id": cadre.department_id}


def _transfer(actor, ticket, t, p, now):
    department = db.session.get(Department, p.department_id)
    if department is None:
        raise ValidationFailed("No such department.", field="department_id")
    if department.id == ticket.department_id:
        raise ValidationFailed("The ticket is already with that department.", field="department_id")
    result = route(ticket.category, department.jurisdiction, ticket.liaison, local_date(now), department=department)
    _apply_route(ticket, result, now)
    return {"department_id": department.id, "assignee_id": ticket.assignee_id, "routing_reason": result.reason}


def _escalate(actor, ticket, t, p, now):
    current = ticket.handling_jurisdiction
    if current.parent is None:
        raise Conflict(f"{current.name} is the top level: the ticket cannot be escalated further.")
    result = route(ticket.category, current.parent, ticket.liaison, local_date(now))
    _apply_route(ticket, result, now)
    return {
        "from_jurisdiction_id": current.id,
        "to_jurisdiction_id": current.parent.id,
        "department_id": result.department.id,
        "assignee_id": ticket.assignee_id,
        "routing_reason": result.reason,
    }


def _request_info(actor, ticket, t, p, now):
    _respond(ticket, now)
    ticket.paused_at = now


def _resume_clock(ticket: Ticket, now: datetime) -> int:
    """Restart a stopped clock: every threshold still ahead moves by the working days spent waiting."""
    cal = get_calendar()
    asked = ticket.paused_at or now
    waited = cal.working_days_between(local_date(asked), local_date(now))
    if waited:
        if ticket.due_at > asked:
            due_day = deadlines.shift_day(cal, ticket.due_at, waited)
            ticket.yellow_from, ticket.due_at, ticket.red_from = deadlines.due_thresholds(
                cal, due_day, _config("RED_AFTER_DAYS")
            )
        elif ticket.red_from > asked:
            # Already late when asked: only the step to red is still ahead.
            red_day = deadlines.shift_day(cal, ticket.red_from - timedelta(seconds=1), waited)
            ticket.red_from = deadlines.end_of_day(red_day) + timedelta(seconds=1)
        if ticket.first_response_at is None and ticket.response_due_at > asked:
            ticket.response_due_at = deadlines.end_of_day(deadlines.shift_day(cal, ticket.response_due_at, waited))
    ticket.paused_at = None
    return waited


def _nothing(actor, ticket, t, p, now):
    """provide_info, withdraw, decline: the status change (and the clock) is all there is."""


def _add_cohandler(actor, ticket, t, p, now):
    department = db.session.get(Department, p.department_id)
    if department is None:
        raise ValidationFailed("No such department.", field="department_id")
    if department.id == ticket.department_id or any(c.department_id == department.id for c in ticket.cohandlers):
        raise ValidationFailed("That department already handles this ticket.", field="department_id")
    ticket.cohandlers.append(TicketCohandler(department_id=department.id, added_by_id=actor.id, created_at=now))
    return {"department_id": department.id}


def _resolve(actor, ticket, t, p, now):
    _respond(ticket, now)
    ticket.resolved_at = now


def _confirm(actor, ticket, t, p, now):
    if p.rating not in {r.value for r in Rating}:
        raise ValidationFailed("Rating must be satisfied, basically_satisfied or dissatisfied.", field="rating")
    ticket.rating = p.rating
    ticket.closed_at = now
    return {"rating": p.rating}


def _reopen(actor, ticket, t, p, now):
    ticket.reopen_count = (ticket.reopen_count or 0) + 1
    ticket.resolved_at = None
    return {"reopen_count": ticket.reopen_count}


def _urge(actor, ticket, t, p, now):
    ticket.urge_count = (ticket.urge_count or 0) + 1
    return {"urge_count": ticket.urge_count}


def _extend(actor, ticket, t, p, now):
    low, high = EXTEND_DAYS
    if not isinstance(p.days, int) or not low <= p.days <= high:
        raise ValidationFailed(f"Extend by {low} to {high} working days.", field="days")
    cal = get_calendar()
    old_due = ticket.due_at
    due_day = deadlines.shift_day(cal, ticket.due_at, p.days)
    ticket.yellow_from, ticket.due_at, ticket.red_from = deadlines.due_thresholds(
        cal, due_day, _config("RED_AFTER_DAYS")
    )
    return {"days": p.days, "from_due_at": old_due.isoformat(), "to_due_at": ticket.due_at.isoformat()}


def _auto_close(actor, ticket, t, p, now):
    ticket.closed_at = now


_HANDLERS = {
    "accept": _accept,
    "assign": _assign,
    "transfer": _transfer,
    "escalate": _escalate,
    "request_info": _request_info,
    "provide_info": _nothing,
    "add_cohandler": _add_cohandler,
    "resolve": _resolve,
    "confirm": _confirm,
    "reopen": _reopen,
    "withdraw": _nothing,
    "decline": _nothing,
    "urge": _urge,
    "extend": _extend,
    "auto_close": _auto_close,
}


def enterprise_users(ticket: Ticket) -> list[User]:
    return list(
        db.session.scalars(select(User).where(User.enterprise_id == ticket.enterprise_id, User.role == Role.ENTERPRISE))
    )


def _after(action: str, ticket: Ticket, p: ActionInput, now: datetime) -> None:
    """Tell the people who need to know (§3, issue: assignment, urge, resolution, reopen)."""
    if action in ("assign", "transfer", "escalate") and ticket.assignee is not None:
        notify([ticket.assignee], "assigned", ticket, now=now)
    elif action == "urge":
        notify([ticket.assignee], "urged", ticket, now=now)
    elif action == "resolve":
        notify(enterprise_users(ticket), "resolved", ticket, now=now)
    elif action == "reopen":
        notify([ticket.assignee], "reopened", ticket, now=now, note=p.note or "")
    elif action == "request_info":
        notify(enterprise_users(ticket), "info_requested", ticket, now=now, note=p.note or "")


# -- comments ------------------------------------------------------------------------------------


def add_comment(actor: User, ticket: Ticket, body: str, internal: bool = False, now: datetime | None = None) -> Comment:
    """A comment; internal ones are for government users only. The assignee's public one is a response."""
    now = now or utcnow()
    body = _check_length(body, "body", (1, NOTE_LENGTH))
    if internal and actor.role == Role.ENTERPRISE:
        raise NotAllowed("Enterprise users cannot write internal notes.")
    comment = Comment(ticket_id=ticket.id, author_id=actor.id, body=body, internal=bool(internal), created_at=now)
    db.session.add(comment)
    if not internal and actor.id == ticket.assignee_id and ticket.first_response_at is None:
        ticket.first_response_at = now
        ticket.updated_at = now
    _flush()
    return comment


# -- the sweep -----------------------------------------------------------------------------------


@dataclass
class SweepResult:
    checked: int = 0
    worse: int = 0
    auto_closed: int = 0
    emails: int = 0
    by_colour: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        colours = ", ".join(f"{k} {v}" for k, v in sorted(self.by_colour.items())) or "none"
        return (
            f"sweep: {self.checked} warned tickets checked, {self.worse} turned worse ({colours}), "
            f"{self.auto_closed} auto-closed, {self.emails} digest emails"
        )


def auto_close_cutoff(today: date, working_days: int) -> date:
    """The latest resolution day that has had `working_days` working days without an answer by `today`."""
    cal = get_calendar()
    # Count whole working days strictly before today: the enterprise keeps all of the last one.
    day, counted = today - timedelta(days=1), 0
    while counted < working_days:
        if cal.is_workday(day):
            counted += 1
        day -= timedelta(days=1)
    return day


def supervisors_of(ticket: Ticket) -> list[User]:
    """Supervisors of the enterprise's county and of where the ticket is handled now."""
    ids = {ticket.jurisdiction_id, ticket.handling_jurisdiction_id}
    return list(
        db.session.scalars(
            select(User).where(User.role == Role.SUPERVISOR, User.active.is_(True), User.jurisdiction_id.in_(ids))
        )
    )


def sweep(now: datetime | None = None) -> SweepResult:
    """Notify each colour change once (one digest email per person), and auto-close resolved tickets."""
    now = now or utcnow()
    result = SweepResult()
    colour = Ticket.warning_sql(now).label("colour")
    rows = db.session.execute(
        select(Ticket, colour).where(
            Ticket.status.in_([Status.SUBMITTED.value, Status.ASSIGNED.value, Status.IN_PROGRESS.value]),
            (colour != Colour.GREEN.value) | Ticket.notified_warning.is_not(None),
        )
    ).all()
    digests: dict[int, tuple[User, list[str]]] = {}
    for ticket, current in rows:
        result.checked += 1
        current_warning = Colour(current) if current else None
        notified = Colour(ticket.notified_warning) if ticket.notified_warning else None
        if WARNING_RANK[current_warning] > WARNING_RANK[notified] and current_warning != Colour.GREEN:
            result.worse += 1
            result.by_colour[current] = result.by_colour.get(current, 0) + 1
            recipients = [ticket.assignee, *supervisors_of(ticket)]
            for note in notify(recipients, "warning", ticket, now=now, email=False, colour=current):
                user = db.session.get(User, note.user_id)
                digests.setdefault(user.id, (user, []))[1].append(note.message)
        if current_warning != notified:
            # Improvements (after an extension, say) are remembered silently, so a later slip notifies again.
            ticket.notified_warning = None if current_warning in (None, Colour.GREEN) else current_warning.value
    cutoff = auto_close_cutoff(local_date(now), _config("AUTO_CLOSE_DAYS"))
    stale = db.session.scalars(
        select(Ticket).where(Ticket.status == Status.RESOLVED.value, Ticket.resolved_at <= deadlines.end_of_day(cutoff))
    ).all()
    for ticket in stale:
        perform_action(None, ticket, "auto_close", now=now)
        result.auto_closed += 1
    _flush()
    for user, lines in digests.values():
        send_digest(user, lines)
        result.emails += 1
    return result
