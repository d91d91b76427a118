"""Notices: an in-app row and the outbox rows that carry it further, all in the caller's transaction.

Nothing leaves the process here. `notify` writes one in-app notification per person and one outbox row
per (person, channel) they chose, plus one row per group robot that hears of the event; the delivery
worker (helpdesk/worker) sends the rows after the commit. An action whose transaction rolls back takes
its notices with it. Texts are rendered now, in each recipient's language. Flush, never commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime

from helpdesk.auth.models import User
from helpdesk.db import insert_loaded, utcnow
from helpdesk.extensions import db
from helpdesk.notifications.messages import DIGEST_SMS, MESSAGES, ROBOT_MESSAGES, SUBJECTS, group_locale, render
from helpdesk.notifications.models import Channel, DeliveryStatus, Notification, OutboxMessage, Robot
from helpdesk.notifications.preferences import delivery_channels
from helpdesk.reference import kept

SMS_LENGTH = 300  # gateways split long texts into parts of 70 characters; keep a notice to a few of them

# Which group robots hear of which event (PRODUCT.md §10): the ticket's department hears what its
# cadres hear; a jurisdiction (its supervisors' office) hears warnings and escalations.
DEPARTMENT, JURISDICTION = "department", "jurisdiction"
ROBOT_AUDIENCES = {
    "assigned": {DEPARTMENT},
    "escalated": {DEPARTMENT, JURISDICTION},
    "urged": {DEPARTMENT},
    "reopened": {DEPARTMENT},
    "warning": {DEPARTMENT, JURISDICTION},
}


def enqueue(
    channel: Channel,
    address: str,
    payload: dict,
    *,
    now: datetime,
    recipient: User | None = None,
    robot: Robot | None = None,
) -> OutboxMessage:
    """One outbox row, due at once, written now (one INSERT, db.py insert_loaded)."""
    values = {
        "channel": channel,
        "recipient_id": recipient.id if recipient is not None else None,
        "robot_id": robot.id if robot is not None else None,
        "address": address[:254],
        "payload": payload,
        "status": DeliveryStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "idempotency_key": uuid.uuid4().hex,
    }
    return insert_loaded(db.session, OutboxMessage, values)


def _deliver_to_person(
    user: User, subject: str, body: str, payload: dict, now: datetime, email_body: str | None = None
) -> None:
    for channel in delivery_channels(user):
        if channel == Channel.EMAIL:
            text = email_body or body
            enqueue(channel, user.email, {**payload, "subject": subject, "body": text}, now=now, recipient=user)
        elif channel == Channel.SMS:
            text = body if len(body) <= SMS_LENGTH else body[: SMS_LENGTH - 1] + "…"
            enqueue(channel, user.mobile, {**payload, "subject": subject, "body": text}, now=now, recipient=user)


def _ticket_params(ticket) -> dict:
    if ticket is None:
        return {}
    return {"number": ticket.number, "title": ticket.title}


def notify(
    recipients: Iterable[User | None],
    kind: str,
    ticket,
    *,
    now: datetime,
    deliver: bool = True,
    event: str | None = None,
    details: Callable[[str], str] | None = None,
    **params,
) -> list[Notification]:
    """One in-app notification per distinct active recipient, and its outbox rows on their channels.

    `ticket` may be None (a notice about the person's account). `deliver=False` writes in-app rows only:
    the caller sends a digest instead (the sweep). `event` is the workflow action, when it matters to the
    groups (an escalation reads differently from an assignment). `details(locale)` adds a paragraph to
    the email in the recipient's language (why an assigned ticket came to them).
    """
    group_kind = "escalated" if event == "escalate" else kind
    # The groups' robots are read before anything is added: the query then flushes nothing of this notice.
    robots = robots_for(group_kind, ticket) if deliver and ticket is not None else []
    params = {**_ticket_params(ticket), **params}
    ticket_id = ticket.id if ticket is not None else None
    payload = {"kind": kind, "ticket_id": ticket_id, "number": params.get("number")}
    created = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.id in seen or not user.active:
            continue
        seen.add(user.id)
        message = render(MESSAGES[kind], user.locale, params)
        values = {"user_id": user.id, "ticket_id": ticket_id, "kind": kind, "message": message, "created_at": now}
        created.append(insert_loaded(db.session, Notification, values))
        if deliver:
            email_body = f"{message}\n\n{details(user.locale)}" if details is not None else None
            _deliver_to_person(user, render(SUBJECTS[kind], user.locale, params), message, payload, now, email_body)
    for robot in robots:
        tell_robot(robot, group_kind, ticket, now=now, **params)
    db.session.flush()
    return created


def notify_account(users: Iterable[User | None], kind: str, now: datetime, **params) -> list[Notification]:
    """A notice about a person's account, not about a ticket (a lockout, say): in-app and their channels."""
    return notify(users, kind, None, now=now, **params)


def robots_for(kind: str, ticket, robots: list[Robot] | None = None) -> list[Robot]:
    """The active group robots that hear of this kind of event on this ticket (from `robots` when given,
    so that the sweep loads them once)."""
    audiences = ROBOT_AUDIENCES.get(kind, set())
    if not audiences:
        return []
    if robots is None:
        robots = active_robots()
    jurisdictions = {ticket.jurisdiction_id, ticket.handling_jurisdiction_id}
    return [
        robot
        for robot in robots
        if (DEPARTMENT in audiences and robot.department_id is not None and robot.department_id == ticket.department_id)
        or (JURISDICTION in audiences and robot.jurisdiction_id in jurisdictions)
    ]


def active_robots() -> list[Robot]:
    """The active group robots, kept across requests while unchanged (helpdesk/reference.py): every filing reads them."""
    return list(kept("robots", Robot, tuple, on=Robot.active.is_(True), order_by=(Robot.id,)))


def robot_text(kind: str, ticket, **params) -> tuple[str, str]:
    """(subject, body) of a group's message about a ticket, in the groups' language."""
    locale = group_locale()
    assignee = ticket.assignee.name if ticket.assignee is not None else None
    handling = ticket.handling_jurisdiction
    values = {
        **_ticket_params(ticket),
        "assignee": assignee,
        "jurisdiction": handling.display_name("en" if locale == "en" else None) if handling else "",
        **params,
    }
    return render(SUBJECTS.get(kind, SUBJECTS["warning"]), locale, values), render(ROBOT_MESSAGES[kind], locale, values)


def tell_robot(robot: Robot, kind: str, ticket, *, now: datetime, **params) -> OutboxMessage:
    """One message to a group robot about one event on a ticket."""
    subject, body = robot_text(kind, ticket, **params)
    payload = {"kind": kind, "ticket_id": ticket.id, "number": ticket.number, "subject": subject, "body": body}
    return enqueue(Channel(str(robot.kind)), robot.name, payload, now=now, robot=robot)


def send_digest(user: User, lines: list[str], now: datetime | None = None, numbers: list[str] | None = None) -> int:
    """One message per channel listing several tickets (the sweep's warnings): one per person per sweep."""
    if not lines:
        return 0
    now = now or utcnow()
    subject = render(SUBJECTS["warning"], user.locale, {})
    rows = 0
    for channel in delivery_channels(user):
        if channel == Channel.EMAIL:
            payload = {"kind": "warning", "subject": subject, "body": "\n".join(lines)}
            enqueue(channel, user.email, payload, now=now, recipient=user)
        else:
            listed = ", ".join((numbers or [])[:5]) + (" …" if len(numbers or []) > 5 else "")
            body = render(DIGEST_SMS, user.locale, {"count": len(lines), "numbers": listed})
            enqueue(
                channel, user.mobile, {"kind": "warning", "subject": subject, "body": body}, now=now, recipient=user
            )
        rows += 1
    db.session.flush()
    return rows


def send_robot_digest(robot: Robot, lines: list[str], now: datetime) -> OutboxMessage | None:
    """The sweep's warnings for one group: one message per robot per sweep (robots accept ~20 a minute)."""
    if not lines:
        return None
    locale = group_locale()
    subject = render(SUBJECTS["warning"], locale, {})
    payload = {"kind": "warning", "subject": subject, "body": "\n".join(lines)}
    message = enqueue(Channel(str(robot.kind)), robot.name, payload, now=now, robot=robot)
    db.session.flush()
    return message
