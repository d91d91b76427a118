"""The primitive changes every ticket verb is made of: status and assignee moves that keep each cadre's
open count, applying a route, recording the event, flushing with conflicts as 409. Flush, never commit."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from flask import current_app
from sqlalchemy import bindparam, update
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.util import identity_key

from helpdesk.auth.models import User
from helpdesk.db import insert_loaded
from helpdesk.errors import Conflict, ValidationFailed
from helpdesk.extensions import db
from helpdesk.tickets.models import OPEN_STATUSES, Status, Ticket, TicketEvent
from helpdesk.tickets.routing import Route

TITLE_LENGTH = (5, 200)
DESCRIPTION_LENGTH = (10, 5000)
NOTE_LENGTH = 5000
EXTEND_DAYS = (1, 30)


def config(name: str):
    return current_app.config[name]


def check_length(value: str | None, field_name: str, bounds: tuple[int, int]) -> str:
    """The text trimmed, or ValidationFailed naming the field and the bound it crossed."""
    value = (value or "").strip()
    low, high = bounds
    if len(value) < low:
        raise ValidationFailed("Shorter than minimum length %(low)s.", field=field_name, low=low)
    if len(value) > high:
        raise ValidationFailed("Longer than maximum length %(high)s.", field=field_name, high=high)
    return value


def flush() -> None:
    """Flush, turning a concurrent change of the same ticket into a conflict."""
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise Conflict("The ticket was changed by someone else at the same time. Reload it and try again.") from exc


# -- open-ticket counters kept on cadres (routing picks the least loaded) -------------------------


def _bump_open(user_id: int | None, delta: int, **also) -> None:
    if user_id is not None and (delta or also):
        flush()  # the ticket's own versioned UPDATE first: a concurrent change is then a Conflict
        db.session.execute(
            _counter_update(bool(delta), tuple(sorted(also))), {"user_id": user_id, "delta": delta, **also}
        )
        # Sent to the table, not through the ORM (whose UPDATE looks for the user among the session's objects to set
        # it there too, a third of this call): the cadre, if loaded, reads the columns afresh when next asked.
        cadre = db.session.identity_map.get(identity_key(User, user_id))
        if cadre is not None:
            db.session.expire(cadre, ["open_tickets", *also])


@cache
def _counter_update(delta: bool, also: tuple[str, ...]):
    users = User.__table__
    values = {name: bindparam(name) for name in also}
    if delta:
        values["open_tickets"] = users.c.open_tickets + bindparam("delta")
    return update(users).where(users.c.id == bindparam("user_id")).values(values)


def move(ticket: Ticket, *, status: str | None = None, assignee: User | None | bool = False, assigned_at=None) -> None:
    """Change status and/or assignee, keeping each cadre's open count equal to its open tickets."""
    was = (ticket.status in OPEN_STATUSES, ticket.assignee_id)
    if status is not None:
        ticket.status = status
    if assignee is not False:
        ticket.assignee = assignee
        ticket.assignee_id = assignee.id if assignee is not None else None
    count_move(was, (ticket.status in OPEN_STATUSES, ticket.assignee_id), assigned_at)


def count_move(was: tuple[bool, int | None], became: tuple[bool, int | None], assigned_at=None) -> None:
    """Count a ticket that went from `was` to `became`, each (open?, assignee id), in its cadres' open counts; a new
    assignee's `last_assigned_at` (routing's tie-break) is set in the same UPDATE."""
    (old_open, old_assignee), (new_open, new_assignee) = was, became
    if old_assignee != new_assignee:
        _bump_open(old_assignee, -1 if old_open else 0)
        _bump_open(new_assignee, 1 if new_open else 0, **({"last_assigned_at": assigned_at} if assigned_at else {}))
    elif old_open != new_open:
        _bump_open(new_assignee, 1 if new_open else -1)


def record(
    ticket, action, actor, from_status, now, note=None, internal=False, *, to_status=None, at_once=False, **data
) -> TicketEvent:
    """Append the event of one action (ticket events are never changed afterwards); `to_status` when it is
    recorded before the ticket moves there.

    `at_once` writes it now, in one INSERT (db.py insert_loaded), for a ticket just written: otherwise the flush
    after the action writes it, once the ticket's changes are all made. A saved ticket whose events are not
    loaded gets its event by id alone: appending it to the collection would send the ticket through the unit of
    work for nothing (a read of the events flushes the event first)."""
    values = {
        "ticket_id": ticket.id,
        "action": action,
        "actor_id": actor.id if actor else None,
        "from_status": from_status,
        "to_status": to_status or ticket.status,
        "note": note,
        "internal": internal,
        "data": data or None,
        "created_at": now,
    }
    if at_once:
        return insert_loaded(db.session, TicketEvent, values)
    event = TicketEvent(**values)
    if ticket.id is None or "events" in ticket.__dict__:
        event.ticket = ticket
    db.session.add(event)
    return event


def apply_route(ticket: Ticket, result: Route, now: datetime) -> None:
    """Hand the ticket to the routed department and cadre (submitted when there is no cadre)."""
    ticket.department_id = result.department.id
    ticket.department = result.department
    ticket.handling_jurisdiction_id = result.department.jurisdiction_id
    ticket.handling_jurisdiction = result.department.jurisdiction
    ticket.routing = result.routing
    move(ticket, status=routed_status(result), assignee=result.assignee, assigned_at=now if result.assignee else None)


def routed_columns(result: Route) -> dict:
    """The columns `apply_route` sets, for a ticket inserted already routed (filing)."""
    return {
        "department_id": result.department.id,
        "handling_jurisdiction_id": result.department.jurisdiction_id,
        "routing": result.routing,
        "status": routed_status(result),
        "assignee_id": result.assignee.id if result.assignee else None,
    }


def routed_status(result: Route) -> str:
    """Where a route leaves the ticket: assigned to its cadre, or submitted (in the department's queue)."""
    return Status.ASSIGNED.value if result.assignee else Status.SUBMITTED.value


def respond(ticket: Ticket, now: datetime) -> None:
    """The first response (accept, a question, a resolution, a public comment by the assignee)."""
    if ticket.first_response_at is None:
        ticket.first_response_at = now
