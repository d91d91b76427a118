"""Record admin changes (PRODUCT.md §9: who, when, before, after) and security events (PRODUCT.md §13)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app, has_request_context, request
from sqlalchemy import delete, inspect

from helpdesk.audit.models import AdminAuditLog, SecurityEvent, SecurityEventKind
from helpdesk.config import MIN_SECURITY_LOG_RETENTION_DAYS
from helpdesk.db import utcnow
from helpdesk.extensions import db

# A robot's webhook URL carries its key (WeCom) or access token (DingTalk): as secret as its signing secret.
SECRET_FIELDS = frozenset({"password_hash", "webhook_url", "secret"})


def snapshot(obj: Any) -> dict:
    """The column values of a model instance as JSON-safe data (secrets left out)."""
    values = {}
    for column in inspect(obj).mapper.column_attrs:
        if column.key in SECRET_FIELDS:
            continue
        value = getattr(obj, column.key)
        values[column.key] = value.isoformat() if isinstance(value, date | datetime) else value
    return values


def add_recorded(actor, entity: str, obj: Any):
    """Add a new record and its "create" entry in the audit log (flushes, so the id is known)."""
    db.session.add(obj)
    db.session.flush()
    record_change(actor, entity, obj, "create", None)
    return obj


def delete_recorded(actor, entity: str, obj: Any) -> None:
    """Delete a record, keeping what it was in the audit log (flushes)."""
    record_change(actor, entity, obj, "delete", snapshot(obj))
    db.session.delete(obj)
    db.session.flush()


def record_change(actor, entity: str, obj: Any, action: str, before: dict | None) -> AdminAuditLog:
    """Add an audit row for `obj` (call after the change is flushed, so the id is known)."""
    after = snapshot(obj) if action != "delete" else None
    entry = AdminAuditLog(
        actor_id=actor.id if actor is not None else None,
        entity=entity,
        entity_id=getattr(obj, "id", None),
        action=action,
        before=before,
        after=after,
        created_at=utcnow(),
    )
    db.session.add(entry)
    return entry


# -- the security audit log ----------------------------------------------------------------------


def record_security_event(
    kind: SecurityEventKind,
    *,
    user=None,
    actor=None,
    email: str | None = None,
    now: datetime | None = None,
    **detail,
) -> SecurityEvent:
    """Add a security audit record (flushes nothing): the address and browser come from the request, if any.

    `user` is whom it concerns, `actor` who did it (None: the user itself, or the system).
    """
    ip = agent = None
    if has_request_context():
        ip = request.remote_addr
        agent = (request.user_agent.string or "")[:200] or None
    entry = SecurityEvent(
        kind=SecurityEventKind(kind),
        at=now or utcnow(),
        user_id=getattr(user, "id", None),
        actor_id=getattr(actor, "id", None),
        email=(email or getattr(user, "email", None) or None),
        ip=ip,
        user_agent=agent,
        detail=detail or None,
    )
    db.session.add(entry)
    return entry


def retention_days() -> int:
    """SECURITY_LOG_RETENTION_DAYS, never below the 180 days 等保 asks for."""
    return max(MIN_SECURITY_LOG_RETENTION_DAYS, int(current_app.config["SECURITY_LOG_RETENTION_DAYS"]))


def purge_security_events(now: datetime | None = None) -> int:
    """Delete the security records older than the retention period (a Core statement: the ORM refuses
    deletes, and PostgreSQL's trigger refuses any younger than 180 days). Returns how many went."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days())
    result = db.session.execute(delete(SecurityEvent).where(SecurityEvent.at < cutoff))
    return result.rowcount or 0
