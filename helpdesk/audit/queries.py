"""The selects of the security audit log that the admin page and its CSV export share."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select

from helpdesk.audit.models import SecurityEvent, SecurityEventKind
from helpdesk.calendar.workdays import start_of_day


def security_events(
    *,
    kind: str | None = None,
    user_id: int | None = None,
    email: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Select:
    """Security records, newest first: of a kind, about or by a user, whose email contains a text, within
    Shanghai days [date_from, date_to] (both inclusive)."""
    query = select(SecurityEvent).order_by(SecurityEvent.id.desc())
    if kind in {k.value for k in SecurityEventKind}:
        query = query.where(SecurityEvent.kind == kind)
    if user_id:
        query = query.where((SecurityEvent.user_id == user_id) | (SecurityEvent.actor_id == user_id))
    if email:
        query = query.where(SecurityEvent.email.icontains(email, autoescape=True))
    if date_from:
        query = query.where(SecurityEvent.at >= start_of_day(date_from))
    if date_to:
        query = query.where(SecurityEvent.at < start_of_day(date.fromordinal(date_to.toordinal() + 1)))
    return query
