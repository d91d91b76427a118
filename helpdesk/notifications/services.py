"""Notifications: an in-app row and an email, in the recipient's language.

Emails go out through Flask-Mail (captured in tests, printed in development). A mail server that
is down never undoes the action: the failure is logged and the in-app notification stays.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from flask_babel import force_locale, gettext
from flask_mail import Message

from helpdesk.auth.models import User
from helpdesk.extensions import db, mail
from helpdesk.notifications.models import Notification

log = logging.getLogger(__name__)


def N_(message: str) -> str:
    """Mark a message for extraction (pybabel); it is translated later, in the recipient's locale."""
    return message


# Message templates by kind; translated in the recipient's locale when sent.
MESSAGES = {
    "assigned": N_("Ticket %(number)s “%(title)s” has been assigned to you."),
    "urged": N_("Ticket %(number)s “%(title)s” has been urged by a supervisor (督办). Please act on it."),
    "resolved": N_("Ticket %(number)s “%(title)s” has been resolved. Please confirm and rate it, or reopen it."),
    "reopened": N_("Ticket %(number)s “%(title)s” was reopened by the enterprise: %(note)s"),
    "reopened_on_callback": N_(
        "Ticket %(number)s “%(title)s” was reopened after a callback found it not solved: %(note)s"
    ),
    "info_requested": N_("Ticket %(number)s “%(title)s”: the handler needs more information: %(note)s"),
    "warning": N_("Ticket %(number)s “%(title)s” is now %(colour)s."),
}
SUBJECTS = {
    "assigned": N_("New ticket assigned: %(number)s"),
    "urged": N_("Urged: %(number)s"),
    "resolved": N_("Resolved: %(number)s"),
    "reopened": N_("Reopened: %(number)s"),
    "reopened_on_callback": N_("Reopened after a callback: %(number)s"),
    "info_requested": N_("Information requested: %(number)s"),
    "warning": N_("Deadline warnings"),
}
# The colour in a warning, in the recipient's words.
COLOURS = {"green": N_("green"), "yellow": N_("yellow"), "orange": N_("orange"), "red": N_("red")}


def _render(template: str, locale: str, params: dict) -> str:
    with force_locale(locale):
        colour = params.get("colour")
        if colour in COLOURS:
            params = {**params, "colour": gettext(COLOURS[colour])}
        return gettext(template, **params)


def _send(recipient: User, subject: str, body: str) -> None:
    try:
        mail.send(Message(subject=subject, recipients=[recipient.email], body=body))
    except Exception as exc:  # noqa: BLE001 - any mail failure must not undo the action
        log.warning("could not email %s: %s", recipient.email, exc)


def notify(
    recipients: Iterable[User | None], kind: str, ticket, *, now: datetime, email: bool = True, **params
) -> list[Notification]:
    """One in-app notification (and one email) per distinct active recipient."""
    params = {"number": ticket.number, "title": ticket.title, **params}
    created = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.id in seen or not user.active:
            continue
        seen.add(user.id)
        message = _render(MESSAGES[kind], user.locale, params)
        note = Notification(user_id=user.id, ticket_id=ticket.id, kind=kind, message=message, created_at=now)
        db.session.add(note)
        created.append(note)
        if email and current_app.config.get("NOTIFY_BY_EMAIL", True):
            _send(user, _render(SUBJECTS[kind], user.locale, params), message)
    return created


def send_digest(user: User, lines: list[str]) -> None:
    """One email listing several tickets (the sweep's warnings): one per person per sweep."""
    if not lines or not current_app.config.get("NOTIFY_BY_EMAIL", True):
        return
    subject = _render(SUBJECTS["warning"], user.locale, {})
    _send(user, subject, "\n".join(lines))
