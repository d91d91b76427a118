"""Page sessions that end (PRODUCT.md §13, docs/SECURITY.md "Sessions").

Each page login is a `user_sessions` row; the signed session cookie carries only a random token whose
SHA-256 the row keeps. A request is logged in while its row has not ended, its user is active, it was
seen within SESSION_IDLE_MINUTES and started within SESSION_MAX_HOURS. Logging out ends the row;
`revoke_access` ends every row and revokes every API token of a user (password change, deactivation,
role or scope change), and nothing brings them back.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app, g, has_request_context, request
from sqlalchemy import delete, or_, select, update

from helpdesk.auth.models import ApiToken, User, UserSession
from helpdesk.extensions import db

# last_seen_at is written at most once a minute, not on every request: the idle timeout is that precise.
TOUCH_RESOLUTION = timedelta(minutes=1)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def start_session(user: User, now: datetime) -> str:
    """A new page session for `user` (flushes); returns the raw token, also left on `user.session_token`."""
    raw = secrets.token_urlsafe(32)
    ip = agent = None
    if has_request_context():
        ip = request.remote_addr
        agent = (request.user_agent.string or "")[:200] or None
    row = UserSession(
        user_id=user.id, token_hash=token_hash(raw), created_at=now, last_seen_at=now, ip=ip, user_agent=agent
    )
    db.session.add(row)
    db.session.flush()
    user.session_token = raw
    g.user_session = row
    return raw


def expiry_reason(row: UserSession, now: datetime) -> str | None:
    """'idle' or 'expired' when the session has run out, else None."""
    config = current_app.config
    if now - row.created_at >= timedelta(hours=int(config["SESSION_MAX_HOURS"])):
        return "expired"
    if now - row.last_seen_at >= timedelta(minutes=int(config["SESSION_IDLE_MINUTES"])):
        return "idle"
    return None


def load_session_user(raw: str, now: datetime) -> User | None:
    """The user of a live session with this token (one query), or None; ends a session that ran out and
    refreshes last_seen_at when due. The caller commits (the user loader does)."""
    if not raw or len(raw) > 200:
        return None
    found = db.session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == token_hash(raw))
    ).first()
    if found is None:
        return None
    row, user = found
    if row.ended_at is not None or not user.active:
        return None
    reason = expiry_reason(row, now)
    if reason is not None:
        end_session(row, reason, now)
        return None
    if now - row.last_seen_at >= TOUCH_RESOLUTION:
        row.last_seen_at = now
    user.session_token = raw
    g.user_session = row
    return user


def current_session() -> UserSession | None:
    """The session row of this request's page login, if any."""
    return g.get("user_session")


def end_session(row: UserSession | None, reason: str, now: datetime) -> None:
    if row is not None and row.ended_at is None:
        row.ended_at = now
        row.ended_reason = reason


def end_sessions(user: User, reason: str, now: datetime) -> int:
    """End every live page session of `user`; returns how many."""
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=now, ended_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount or 0


def revoke_tokens(user: User, now: datetime) -> int:
    """Revoke every live API token of `user`; returns how many."""
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount or 0


def revoke_access(user: User, reason: str, now: datetime) -> dict:
    """End every session and revoke every token of `user` (a password change, deactivation, role or scope
    change). Returns the counts, for the security log."""
    return {"sessions_ended": end_sessions(user, reason, now), "tokens_revoked": revoke_tokens(user, now)}


def purge_sessions(before: datetime) -> int:
    """Delete session rows that ended, or were last seen, before `before` (the security log keeps the
    log-ins and log-outs themselves)."""
    result = db.session.execute(
        delete(UserSession).where(or_(UserSession.ended_at < before, UserSession.last_seen_at < before))
    )
    return result.rowcount or 0
