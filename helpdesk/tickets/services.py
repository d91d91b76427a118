"""Ticket verbs: file, act on, comment. Flush, never commit.

The caller (a page, an API endpoint, a command) owns the transaction: one action and its ticket
event are committed together or not at all. Services take the acting user and `now` explicitly
and raise domain errors, never HTTP ones. What each action does is its row in workflow.py and its
handler in actions.py; the periodic sweep is in sweep.py.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from helpdesk.auth.models import Role, User
from helpdesk.calendar.services import get_calendar
from helpdesk.calendar.workdays import local_date
from helpdesk.db import attach, insert_loaded, utcnow
from helpdesk.enterprises.models import Enterprise
from helpdesk.enterprises.queries import enterprise_visibility
from helpdesk.errors import NotAllowed, ValidationFailed
from helpdesk.extensions import db
from helpdesk.i18n import catalog, translate
from helpdesk.jurisdictions.models import Jurisdiction
from helpdesk.jurisdictions.queries import categories_by_code, jurisdiction_tree, ticket_prefix
from helpdesk.jurisdictions.scope import supervised_scope
from helpdesk.notifications.services import notify
from helpdesk.tickets import deadlines
from helpdesk.tickets.actions import ActionInput, resume_clock
from helpdesk.tickets.changes import (
    DESCRIPTION_LENGTH,
    NOTE_LENGTH,
    TITLE_LENGTH,
    check_length,
    config,
    count_move,
    flush,
    move,
    record,
    routed_columns,
)
from helpdesk.tickets.models import OPEN_STATUSES, Comment, Priority, Status, Ticket
from helpdesk.tickets.numbering import next_sequence
from helpdesk.tickets.routing import describe, route
from helpdesk.tickets.workflow import TRANSITIONS, USER_ACTIONS, Audience, Party, Transition, guard, parties

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
    jurisdiction_tree()  # the tree in the session: the county and its ancestors need no statement of their own
    enterprise = db.session.scalar(
        select(Enterprise)
        .options(joinedload(Enterprise.liaison))
        .where(Enterprise.id == enterprise_id, enterprise_visibility(actor))
    )
    if enterprise is None:
        raise ValidationFailed("No such enterprise among those you can see.", field="enterprise_id")
    category_obj = categories_by_code().get(category)
    if category_obj is None:
        raise ValidationFailed("Unknown category %(code)r.", field="category", code=category)
    title = check_length(title, "title", TITLE_LENGTH)
    description = check_length(description, "description", DESCRIPTION_LENGTH)
    if priority not in {p.value for p in Priority}:
        raise ValidationFailed("Priority must be normal or urgent.", field="priority")

    cal = get_calendar()
    county: Jurisdiction = enterprise.jurisdiction
    limits = deadlines.initial_thresholds(
        cal, now, category_obj.response_days, category_obj.resolution_days, config("RED_AFTER_DAYS")
    )
    # Routed (reads only) before the number's UPDATE opens the write transaction: on SQLite the other writers
    # wait for that transaction, so it holds no query that could run before it. The INSERT carries the route.
    result = route(category_obj, county, enterprise.liaison, local_date(now))
    assignee = result.assignee
    prefix, year = ticket_prefix(county), local_date(now).year
    seq = next_sequence(prefix, year)
    # One INSERT … RETURNING, without the unit of work (db.py insert_loaded); the relations attached as if loaded.
    new = {
        "number": f"{prefix}-{year}-{seq:06d}",
        "number_prefix": prefix,
        "number_year": year,
        "number_seq": seq,
        "title": title,
        "description": description,
        "category_id": category_obj.id,
        "priority": priority,
        "enterprise_id": enterprise.id,
        "jurisdiction_id": county.id,
        "liaison_id": enterprise.liaison_id,
        "created_by_id": actor.id,
        "created_at": now,
        "updated_at": now,
        "response_due_at": limits.response_due_at,
        "yellow_from": limits.yellow_from,
        "due_at": limits.due_at,
        "red_from": limits.red_from,
        "reopen_count": 0,
        "urge_count": 0,
        **routed_columns(result),
    }
    ticket = insert_loaded(db.session, Ticket, new)
    attach(
        ticket,
        category=category_obj,
        enterprise=enterprise,
        department=result.department,
        handling_jurisdiction=result.department.jurisdiction,
        assignee=assignee,
    )
    record(
        ticket,
        "file",
        actor,
        None,
        now,
        at_once=True,
        routing=result.routing,
        department_id=result.department.id,
        assignee_id=ticket.assignee_id,
    )
    count_move(
        (False, None), (ticket.status in OPEN_STATUSES, ticket.assignee_id), assigned_at=now if assignee else None
    )
    if ticket.assignee is not None:
        notify([ticket.assignee], "assigned", ticket, now=now, details=routing_details(ticket))
    return ticket


def routing_details(ticket: Ticket):
    """For an assignment email: why the ticket came to its reader, in the reader's language."""
    routing = ticket.routing

    def details(locale: str) -> str:
        gettext = partial(translate, catalog(locale))  # the reader's language, without force_locale (i18n.py)
        return gettext("Routing: %(reason)s", reason=describe(routing, locale))

    return details if routing else None


# -- actions -------------------------------------------------------------------------------------


def acting_parties(actor: User | None, ticket: Ticket) -> set[Party]:
    return parties(actor, ticket, supervised_scope(actor))


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
            raise ValidationFailed("%(action)s needs a note.", field="note", action=action)
        params.note = check_length(note, "note", (1, NOTE_LENGTH))
    elif note is not None:
        params.note = check_length(note, "note", (0, NOTE_LENGTH)) or None
    for needed in transition.needs:
        if getattr(params, needed) is None:
            raise ValidationFailed("Missing data for required field.", field=needed)
    from_status = ticket.status
    extra = transition.handler(actor, ticket, params, now) or {}
    if from_status == Status.AWAITING_ENTERPRISE and transition.to_status is not None:
        # Leaving "awaiting the enterprise" by any route (answer, transfer, withdrawal…) restarts the clock.
        extra["waited_working_days"] = resume_clock(ticket, now)
    if transition.to_status is not None and not transition.routes:
        move(ticket, status=transition.to_status.value)
    ticket.updated_at = now
    record(ticket, action, actor, from_status, now, params.note, transition.internal, **extra)
    flush()
    _tell(transition, ticket, params, now)
    return ticket


def enterprise_users(ticket: Ticket) -> list[User]:
    return list(
        db.session.scalars(select(User).where(User.enterprise_id == ticket.enterprise_id, User.role == Role.ENTERPRISE))
    )


def _tell(transition: Transition, ticket: Ticket, params: ActionInput, now: datetime) -> None:
    """Notify the audience the action's row names (assignment, urge, question, resolution, reopen)."""
    notice = transition.notice
    if notice is None:
        return
    recipients = [ticket.assignee] if notice.audience == Audience.ASSIGNEE else enterprise_users(ticket)
    details = routing_details(ticket) if notice.kind == "assigned" else None
    notify(recipients, notice.kind, ticket, now=now, event=transition.action, note=params.note or "", details=details)


# -- comments ------------------------------------------------------------------------------------


def add_comment(actor: User, ticket: Ticket, body: str, internal: bool = False, now: datetime | None = None) -> Comment:
    """A comment; internal ones are for government users only. The assignee's public one is a response."""
    now = now or utcnow()
    body = check_length(body, "body", (1, NOTE_LENGTH))
    if internal and actor.role == Role.ENTERPRISE:
        raise NotAllowed("Enterprise users cannot write internal notes.")
    comment = Comment(ticket_id=ticket.id, author_id=actor.id, body=body, internal=bool(internal), created_at=now)
    db.session.add(comment)
    if not internal and actor.id == ticket.assignee_id and ticket.first_response_at is None:
        ticket.first_response_at = now
        ticket.updated_at = now
    flush()
    return comment
