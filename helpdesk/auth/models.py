"""Users of the four roles, their page sessions and API tokens (both stored hashed), failed logins."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from helpdesk.db import Base, UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from helpdesk.enterprises.models import Enterprise
    from helpdesk.jurisdictions.models import Department, Jurisdiction


class Role(StrEnum):
    ENTERPRISE = "enterprise"
    CADRE = "cadre"  # 助企干部
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


ROLES_SQL = ", ".join(f"'{r.value}'" for r in Role)


class User(UserMixin, Base):
    """A person who logs in: an enterprise user, a cadre, a supervisor or an admin."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN ({ROLES_SQL})", name="role"),
        CheckConstraint("role <> 'enterprise' OR enterprise_id IS NOT NULL", name="enterprise_has_company"),
        CheckConstraint("role <> 'cadre' OR department_id IS NOT NULL", name="cadre_has_department"),
        CheckConstraint("role <> 'supervisor' OR jurisdiction_id IS NOT NULL", name="supervisor_has_jurisdiction"),
        CheckConstraint("open_tickets >= 0", name="open_tickets"),
        CheckConstraint("locale IN ('zh_CN', 'en')", name="locale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    mobile: Mapped[str | None] = mapped_column(String(11), unique=True)  # mainland 1[3-9]xxxxxxxxx, for SMS
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(enum_column(Role, 20), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    jurisdiction_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    away_until: Mapped[date | None] = mapped_column(Date)  # on leave up to and including this date
    # Routing picks the least-loaded cadre: the count is kept with every transition.
    open_tickets: Mapped[int] = mapped_column(Integer, default=0)
    last_assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Channels beside in-app (notifications/preferences.py): email on unless switched off; SMS None = the default.
    email_notices: Mapped[bool] = mapped_column(Boolean, default=True)
    sms_notices: Mapped[bool | None] = mapped_column(Boolean)
    # A password an admin set for someone else, to be changed at the next login (docs/SECURITY.md).
    password_temporary: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # locked out after failed logins

    enterprise: Mapped[Enterprise | None] = relationship(foreign_keys=[enterprise_id])
    department: Mapped[Department | None] = relationship()
    jurisdiction: Mapped[Jurisdiction | None] = relationship()

    # The raw token of the page session this object was loaded for (never stored): Flask-Login keeps it in
    # the cookie in place of the user id (login_manager.id_attribute), so a cookie names a revocable session.
    session_token = None

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot log in
        return bool(self.active)

    def get_session_token(self) -> str | None:
        return self.session_token

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

    def must_change_password(self, now: datetime, max_days: int | None = None) -> bool:
        """A temporary password, or (when PASSWORD_MAX_DAYS is set) one older than that."""
        if self.password_temporary:
            return True
        if not max_days:
            return False
        changed = self.password_changed_at or self.created_at
        return changed is not None and (now - changed).days >= max_days

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def is_available(self, today: date) -> bool:
        """Active and not on leave (routing skips cadres who are away)."""
        return bool(self.active) and (self.away_until is None or self.away_until < today)

    @property
    def is_government(self) -> bool:
        return self.role != Role.ENTERPRISE

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class ApiToken(Base):
    """A bearer token for the API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class UserSession(Base):
    """A page login (会话): the cookie carries a random token, only its SHA-256 is stored; ended rows stay."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_reason: Mapped[str | None] = mapped_column(String(30))  # logout, idle, expired, password, …
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()


class LoginFailure(Base):
    """One failed login, the shared failure counter when REDIS_URL is unset (auth/throttle.py)."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_email_at", "email", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(45))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
