"""Checking a login (throttle, lockout, password), changing one's own password, unlocking an account.

The page login, the token API and the change-password endpoints all go through `check_credentials`, so
they share one throttle, one lockout and one security log (PRODUCT.md §9, §13; docs/SECURITY.md).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from helpdesk.audit.models import SecurityEventKind as Kind
from helpdesk.audit.services import record_change, record_security_event, snapshot
from helpdesk.auth import throttle
from helpdesk.auth.models import Role, User
from helpdesk.auth.passwords import check_new_password
from helpdesk.auth.services import admin_only, authenticate, canonical_email, find_user_by_email
from helpdesk.auth.sessions import revoke_access
from helpdesk.errors import DomainError, ValidationFailed
from helpdesk.extensions import db
from helpdesk.i18n import local_time


def N_(message: str) -> str:
    """Mark a message for extraction (pybabel): these are raised through super(), which it does not see."""
    return message


class LoginRefused(DomainError):
    """A login that did not pass; its failure, if it was one, is counted and logged (commit, then answer)."""

    status = 401


class BadCredentials(LoginRefused):
    def __init__(self):
        super().__init__(N_("Wrong email or password."))


class Throttled(LoginRefused):
    """Too many failures of this (email, address) pair: 429 with Retry-After."""

    status = 429

    def __init__(self, seconds: int):
        super().__init__(N_("Too many failed logins. Try again in %(seconds)s seconds."), seconds=seconds)
        self.retry_after = seconds


class AccountLocked(Throttled):
    """Too many failures of this email from anywhere: locked for LOCKOUT_MINUTES. 429 like the throttle (not
    423, which clients do not know), with Retry-After: try again then, or once an admin has unlocked it."""

    def __init__(self, seconds: int):
        seconds = max(1, seconds)
        LoginRefused.__init__(
            self,
            N_(
                "This account is locked after too many failed logins. Try again in %(minutes)s minutes, "
                "or ask an administrator to unlock it."
            ),
            minutes=-(-seconds // 60),
        )
        self.retry_after = seconds


class PasswordChangeRequired(LoginRefused):
    """Right password, but a temporary or expired one: change it first (403)."""

    status = 403

    def __init__(self):
        super().__init__(
            N_(
                "The password must be changed first: POST /api/v1/users/me/password with email, current_password "
                "and new_password."
            )
        )


def check_credentials(email: str, password: str, *, address: str | None, now: datetime) -> User:
    """The user with this email and password, or LoginRefused: throttled (5 a minute per email and address),
    locked (LOCKOUT_FAILURES within LOCKOUT_WINDOW_MINUTES), or wrong. A wrong one is counted and logged and
    may lock the account; the caller commits in every case, so that the count holds."""
    email = canonical_email(email)
    wait = throttle.retry_after(email, address, now)
    if wait is not None:
        raise Throttled(wait)
    user = find_user_by_email(email)
    config = current_app.config
    if user is not None and user.is_locked(now):
        raise AccountLocked(int((user.locked_until - now).total_seconds()))
    if user is None and throttle.recent_failures(email, now) >= int(config["LOCKOUT_FAILURES"]):
        # Unknown emails "lock" alike, so that a lockout tells nobody which emails have an account.
        raise AccountLocked(int(config["LOCKOUT_MINUTES"]) * 60)
    found = authenticate(email, password)
    if found is None:
        throttle.record_failure(email, address, now)
        record_security_event(Kind.LOGIN_FAILED, user=user, email=email, now=now)
        if user is not None and user.active:
            _lock_when_due(user, now)
        raise BadCredentials()
    return found


def _lock_when_due(user: User, now: datetime) -> None:
    config = current_app.config
    failures = throttle.recent_failures(user.email, now)
    if failures < int(config["LOCKOUT_FAILURES"]):
        return
    user.locked_until = now + timedelta(minutes=int(config["LOCKOUT_MINUTES"]))
    record_security_event(Kind.LOCKED, user=user, now=now, failures=failures, until=user.locked_until.isoformat())
    from helpdesk.notifications.services import notify_account

    params = {"at": local_time(now), "until": local_time(user.locked_until), "failures": failures}
    notify_account([user], "account_locked", now, **params)
    admins = db.session.scalars(select(User).where(User.role == Role.ADMIN, User.active.is_(True), User.id != user.id))
    notify_account(admins, "user_locked", now, account=user.email, **params)


def unlock_user(actor: User, user: User, now: datetime) -> User:
    """An admin unlocks an account locked after failed logins; its failure count starts again."""
    admin_only(actor)
    before = snapshot(user)
    user.locked_until = None
    throttle.clear_failures(user.email)
    db.session.flush()
    record_security_event(Kind.UNLOCKED, user=user, actor=actor, now=now)
    record_change(actor, "user", user, "update", before)
    return user


def change_password(user: User, current_password: str, new_password: str, now: datetime) -> User:
    """The user changes its own password (after proving the current one): every session and token of it
    ends, a temporary password stops being one."""
    if not user.check_password(current_password or ""):
        raise ValidationFailed("The current password is wrong.", field="current_password")
    if new_password == current_password:
        raise ValidationFailed("Choose a password different from the current one.", field="new_password")
    check_new_password(new_password, user.email, field="new_password")
    user.set_password(new_password)
    user.password_temporary = False
    user.password_changed_at = now
    db.session.flush()
    revoked = revoke_access(user, "password_changed", now)
    record_security_event(Kind.PASSWORD_CHANGED, user=user, now=now, **revoked)
    return user


def must_change_password(user: User, now: datetime) -> bool:
    """A temporary password, or one older than PASSWORD_MAX_DAYS (when set)."""
    return user.must_change_password(now, int(current_app.config.get("PASSWORD_MAX_DAYS") or 0))
