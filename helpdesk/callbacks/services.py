"""Callback verbs (回访): record a call to a company about its completed ticket. Flush, never commit.

A callback is written with its internal `callback` ticket event in the caller's transaction, and keeps
the ticket's `callback_state` (what the reports count). "Not solved" reopens the ticket through the
workflow's `reopen_on_callback` row, with the callback's note as the reason. A rating given in a callback
becomes the ticket's own when it has none (an auto-closed ticket), so that it counts in the satisfaction
rate; otherwise the callback keeps it to itself.
"""

from __future__ import annotations

from datetime import datetime

from helpdesk.auth.models import Role, User
from helpdesk.callbacks.models import Callback
from helpdesk.db import utcnow
from helpdesk.errors import Conflict, NotAllowed, ValidationFailed
from helpdesk.extensions import db
from helpdesk.jurisdictions.scope import supervised_scope
from helpdesk.tickets.changes import NOTE_LENGTH, check_length, flush, record
from helpdesk.tickets.models import COMPLETED_STATUSES, CallbackState, Rating, Ticket
from helpdesk.tickets.services import perform_action

# Who calls companies back: supervisors (their subtree's tickets) and admins.
CALLERS = (Role.SUPERVISOR, Role.ADMIN)
CALLERS_ONLY = "Callbacks are made by supervisors and admins."


def check_caller(actor: User, ticket: Ticket | None = None) -> None:
    """NotAllowed unless `actor` may call back (this ticket's company)."""
    if actor.role not in CALLERS:
        raise NotAllowed(CALLERS_ONLY)
    if ticket is not None and ticket.jurisdiction_id not in supervised_scope(actor):
        raise NotAllowed("That ticket is outside your jurisdiction.")


def _answers(reached, solved, rating, note) -> tuple[bool, bool | None, str | None, str | None]:
    """The callback's fields checked against each other, or ValidationFailed naming the wrong one."""
    if not isinstance(reached, bool):
        raise ValidationFailed("Say whether the enterprise was reached.", field="reached")
    if solved is not None and not isinstance(solved, bool):
        raise ValidationFailed("Not a valid boolean.", field="solved")
    if not reached:
        if solved is not None:
            raise ValidationFailed(
                "Whether it is solved can only be said when the enterprise was reached.", field="solved"
            )
        if rating is not None:
            raise ValidationFailed("A rating can only be given when the enterprise was reached.", field="rating")
    elif solved is None:
        raise ValidationFailed("Say whether the problem is really solved.", field="solved")
    if rating is not None and rating not in {r.value for r in Rating}:
        raise ValidationFailed("Rating must be satisfied, basically_satisfied or dissatisfied.", field="rating")
    note = check_length(note, "note", (0, NOTE_LENGTH)) or None
    if reached and solved is False and note is None:
        raise ValidationFailed(
            "Say what is still not solved: the handler reads it when the ticket reopens.", field="note"
        )
    return reached, solved, rating, note


def state_after(current: CallbackState | None, reached: bool, solved: bool | None) -> CallbackState | None:
    """The ticket's callback_state after one more callback: an unanswered call never hides an earlier answer."""
    if reached:
        return CallbackState.SOLVED if solved else CallbackState.UNSOLVED
    return current or CallbackState.UNREACHED


def record_callback(
    actor: User,
    ticket: Ticket,
    *,
    reached: bool,
    solved: bool | None = None,
    rating: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> Callback:
    """Record one callback of a completed ticket (with its internal event); "not solved" reopens the ticket.

    NotAllowed for a caller who is not a supervisor of the ticket's county or an admin, Conflict for a
    ticket that is not resolved or closed, ValidationFailed naming the field for answers that disagree.
    """
    now = now or utcnow()
    check_caller(actor, ticket)
    if ticket.status not in COMPLETED_STATUSES:
        raise Conflict(
            "Only a resolved or closed ticket can be called back; this one is %(status)s.", status=ticket.status
        )
    reached, solved, rating, note = _answers(reached, solved, rating, note)
    callback = Callback(
        ticket_id=ticket.id,
        caller_id=actor.id,
        created_at=now,
        reached=reached,
        solved=solved,
        rating=rating,
        note=note,
    )
    db.session.add(callback)
    rating_applied = rating is not None and ticket.rating is None
    if rating_applied:
        ticket.rating = rating  # an auto-closed ticket's only rating: it counts in satisfaction_rate
    ticket.callback_state = state_after(ticket.callback_state, reached, solved)
    ticket.updated_at = now
    flush()  # the ticket's versioned UPDATE: a concurrent change is a Conflict; gives the callback its id
    record(
        ticket,
        "callback",
        actor,
        ticket.status,
        now,
        note,
        internal=True,
        callback_id=callback.id,
        reached=reached,
        solved=solved,
        rating=rating,
        rating_applied=rating_applied,
    )
    flush()
    if reached and solved is False:
        perform_action(actor, ticket, "reopen_on_callback", note=note, now=now)
    return callback
