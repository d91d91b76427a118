"""Record admin changes (PRODUCT.md §9): who, when, before, after."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect

from helpdesk.audit.models import AdminAuditLog
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
