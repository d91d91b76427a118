"""The admin audit log (who changed which record, from what to what) and the security audit log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.db import Base, UTCDateTime, enum_column, utcnow


class AdminAuditLog(Base):
    """One admin change to users, enterprises, departments, categories, routing rules or overrides."""

    __tablename__ = "admin_audit_log"
    __table_args__ = (Index("ix_admin_audit_log_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(20))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class SecurityEventKind(StrEnum):
    """What a security audit record is about (安全审计, docs/SECURITY.md)."""

    LOGIN = "login"
    LOGOUT = "logout"
    LOGIN_FAILED = "login_failed"
    LOCKED = "locked"
    UNLOCKED = "unlocked"
    PASSWORD_CHANGED = "password_changed"  # by the user
    PASSWORD_RESET = "password_reset"  # by an admin
    TOKEN_ISSUED = "token_issued"
    TOKEN_REVOKED = "token_revoked"
    USER_CREATED = "user_created"
    ACCESS_CHANGED = "access_changed"  # role or scope: department, jurisdiction, enterprise
    DEACTIVATED = "deactivated"
    REACTIVATED = "reactivated"
    REPORT_EXPORTED = "report_exported"


class SecurityEvent(Base):
    """One security-relevant event: who did it, to whom, from where. Append-only; kept at least 180 days."""

    __tablename__ = "security_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    kind: Mapped[SecurityEventKind] = mapped_column(enum_column(SecurityEventKind, 30), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(254))  # as typed, for failed logins of unknown emails
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[dict | None] = mapped_column(JSON)


class ImmutableSecurityEventError(RuntimeError):
    """Raised when code tries to change or delete a security audit record."""


@event.listens_for(SecurityEvent, "before_update")
def _refuse_update(mapper, connection, target):
    raise ImmutableSecurityEventError("security events are append-only")


@event.listens_for(SecurityEvent, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise ImmutableSecurityEventError("security events are append-only")
