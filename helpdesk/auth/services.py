"""Creating and changing users, passwords and tokens; the CLI, admin pages and API all call these.

Every change that alters what a user may reach (a new password, deactivation, a change of role or scope)
ends its page sessions and revokes its API tokens (auth/sessions.py: revoke_access) and is written to the
security log (audit/services.py: record_security_event).
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
import unicodedata
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from helpdesk.audit.models import SecurityEventKind as Kind
from helpdesk.audit.services import record_change, record_security_event, snapshot
from helpdesk.auth.models import ApiToken, Role, User
from helpdesk.auth.passwords import check_new_password
from helpdesk.auth.sessions import revoke_access
from helpdesk.db import utcnow
from helpdesk.enterprises.models import Enterprise
from helpdesk.errors import Conflict, NotAllowed, Term, ValidationFailed
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Department, Jurisdiction
from helpdesk.labels import ROLE_LABELS
from helpdesk.reference import STAMP_COLUMN, note_stamp

MIN_PASSWORD = 8
# A mainland mobile number (11 digits, 13x–19x), for SMS; spaces, dashes and a +86 / 86 prefix are dropped.
MOBILE = re.compile(r"1[3-9]\d{9}")

# What a role's user is linked to, as refusals name it.
LINK_LABELS = {
    "enterprise_id": _l("an enterprise"),
    "department_id": _l("a department"),
    "jurisdiction_id": _l("a jurisdiction"),
}

# The fields that decide what a user may see and do: a change to any of them ends its sessions and tokens.
ACCESS_FIELDS = ("role", "department_id", "jurisdiction_id", "enterprise_id")


def canonical_email(email: str | None) -> str:
    """The one form an email is stored and looked up in: NFKC (a fullwidth ａ is an a), trimmed, lower case."""
    return unicodedata.normalize("NFKC", email or "").strip().lower()


def normalize_email(email: str) -> str:
    """A valid email in its canonical form, or ValidationFailed."""
    try:
        checked = validate_email(canonical_email(email), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        # email-validator explains in English; other languages get a hint of their own.
        reason = Term(str(exc), _l("check that it reads like name@example.cn"))
        raise ValidationFailed("Not a valid email address: %(reason)s", field="email", reason=reason) from exc
    return canonical_email(checked)


def find_user_by_email(email: str | None) -> User | None:
    return db.session.scalar(select(User).where(User.email == canonical_email(email)))


def normalize_mobile(mobile: str | None, user: User | None = None) -> str | None:
    """A mainland mobile number as 11 digits, or None when empty; refused when invalid or another user's."""
    value = re.sub(r"[\s\-()]", "", mobile or "")
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("86") and len(value) == 13:
        value = value[2:]
    if not value:
        return None
    if not MOBILE.fullmatch(value):
        raise ValidationFailed(
            "Not a mainland mobile number (11 digits starting 13 to 19): %(value)s", field="mobile", value=mobile
        )
    taken = select(func.count()).select_from(User).where(User.mobile == value)
    if user is not None and user.id is not None:
        taken = taken.where(User.id != user.id)
    if db.session.scalar(taken):
        raise Conflict("Another user already has the mobile number %(mobile)s.", field="mobile", mobile=value)
    return value


def create_user(
    *,
    email: str,
    name: str,
    password: str,
    role: str,
    enterprise_id: int | None = None,
    department_id: int | None = None,
    jurisdiction_id: int | None = None,
    locale: str = "zh_CN",
    mobile: str | None = None,
    temporary_password: bool = False,
    actor: User | None = None,
    now: datetime | None = None,
) -> User:
    """Create a user of a role with the one link that role needs (flushes, never commits).

    `temporary_password`: the user must change it at the first login (an admin chose it for them).
    """
    now = now or utcnow()
    email = normalize_email(email)
    if role not in {r.value for r in Role}:
        roles = Term.either([Term(r.value, ROLE_LABELS[r.value]) for r in Role])
        raise ValidationFailed("Role must be one of %(roles)s.", field="role", roles=roles)
    if not (name or "").strip():
        raise ValidationFailed("Name is required.", field="name")
    check_new_password(password, email)
    if locale not in ("zh_CN", "en"):
        raise ValidationFailed("Locale must be zh_CN or en.", field="locale")
    needs = {
        Role.ENTERPRISE: ("enterprise_id", enterprise_id, Enterprise),
        Role.CADRE: ("department_id", department_id, Department),
        Role.SUPERVISOR: ("jurisdiction_id", jurisdiction_id, Jurisdiction),
    }
    if role in needs:
        field, value, model = needs[Role(role)]
        if value is None:
            raise ValidationFailed(
                "A %(role)s user needs %(link)s.",
                field=field,
                role=Term(role, ROLE_LABELS[role]),
                link=Term(field, LINK_LABELS[field]),
            )
        if db.session.get(model, value) is None:
            kind = field.removesuffix("_id")
            raise ValidationFailed(
                "No such %(kind)s: %(value)s.", field=field, kind=Term(kind, LINK_LABELS[field]), value=value
            )
    if db.session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise Conflict("A user with email %(email)s already exists.", field="email", email=email)
    mobile = normalize_mobile(mobile)
    user = User(
        email=email,
        mobile=mobile,
        email_notices=True,
        name=name.strip(),
        role=role,
        locale=locale,
        enterprise_id=enterprise_id if role == Role.ENTERPRISE else None,
        department_id=department_id if role == Role.CADRE else None,
        jurisdiction_id=jurisdiction_id if role == Role.SUPERVISOR else None,
        active=True,
        open_tickets=0,
        password_temporary=bool(temporary_password),
        password_changed_at=now,
        created_at=now,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record_security_event(
        Kind.USER_CREATED, user=user, actor=actor, now=now, role=str(user.role), temporary=user.password_temporary
    )
    db.session.flush()
    return user


def admin_only(actor: User | None) -> None:
    """Admin verbs refuse everybody else (403)."""
    if actor is None or actor.role != Role.ADMIN:
        raise NotAllowed("Only admins change reference data.")


def create_user_as_admin(actor: User, **values) -> User:
    """Create a user of any role (see auth.services.create_user), audited."""
    admin_only(actor)
    user = create_user(actor=actor, **values)
    record_change(actor, "user", user, "create", None)
    return user


def set_user_active(actor: User, user: User, active: bool) -> User:
    """Deactivate (or reactivate) a user: a deactivated user cannot log in and its tokens stop working."""
    return update_user(actor, user, {"active": bool(active)})


def reset_password(actor: User, user: User, password: str, temporary: bool = False) -> User:
    """An admin sets someone's password; `temporary`: they must change it at their next login."""
    return update_user(actor, user, {"password": password, "temporary_password": temporary})


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (same answer for both mistakes)."""
    user = find_user_by_email(email)
    if user is None:
        # Hash anyway: a quick "no" would tell an attacker, by its speed, which emails have an account.
        check_password_hash(_unknown_user_hash(), password or "")
        return None
    if not user.check_password(password or "") or not user.active:
        return None
    return user


@functools.cache
def _unknown_user_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


def update_user(actor: User, user: User, values: dict, now: datetime | None = None) -> User:
    """Admin changes to a user: name, active, password (+ temporary_password), department_id, away_until,
    locale, mobile (audited). A new password, deactivation or a change of role or scope ends its sessions and
    tokens."""
    if actor.role != Role.ADMIN:
        raise NotAllowed("Only admins change other users.")
    now = now or utcnow()
    before = snapshot(user)
    if "name" in values:
        name = (values["name"] or "").strip()
        if not 1 <= len(name) <= 100:
            raise ValidationFailed("Name must be 1 to 100 characters.", field="name")
        user.name = name
    if "active" in values:
        if user.id == actor.id and not values["active"]:
            raise ValidationFailed("You cannot deactivate yourself.", field="active")
        user.active = bool(values["active"])
    if "password" in values:
        check_new_password(values["password"], user.email)
        user.set_password(values["password"])
        user.password_changed_at = now
        user.password_temporary = bool(values.get("temporary_password", False))
    elif "temporary_password" in values:
        user.password_temporary = bool(values["temporary_password"])
    if "department_id" in values:
        if user.role != Role.CADRE:
            raise ValidationFailed("Only cadres belong to a department.", field="department_id")
        if db.session.get(Department, values["department_id"] or 0) is None:
            raise ValidationFailed("No such department.", field="department_id")
        user.department_id = values["department_id"]
    if "away_until" in values:
        set_away(user, values["away_until"])
    if "locale" in values:
        if values["locale"] not in ("zh_CN", "en"):
            raise ValidationFailed("Locale must be zh_CN or en.", field="locale")
        user.locale = values["locale"]
    if "mobile" in values:
        user.mobile = normalize_mobile(values["mobile"], user)
    db.session.flush()
    _record_access_changes(actor, user, before, now, password_set="password" in values)
    record_change(actor, "user", user, "update", before)
    return user


def _record_access_changes(actor: User, user: User, before: dict, now: datetime, password_set: bool) -> None:
    """Security-log what changed in `user`'s access, and end its sessions and tokens when that calls for it."""
    changes = []
    if password_set:
        changes.append((Kind.PASSWORD_RESET, "password_reset", {"temporary": user.password_temporary}))
    elif user.password_temporary and not before.get("password_temporary"):
        changes.append((Kind.PASSWORD_RESET, "password_reset", {"temporary": True, "new_password": False}))
    if before.get("active") and not user.active:
        changes.append((Kind.DEACTIVATED, "deactivated", {}))
    elif user.active and not before.get("active"):
        record_security_event(Kind.REACTIVATED, user=user, actor=actor, now=now)  # revives no session or token
    moved = {f: [before.get(f), getattr(user, f)] for f in ACCESS_FIELDS if before.get(f) != getattr(user, f)}
    if moved:
        changes.append((Kind.ACCESS_CHANGED, "access_changed", {"changes": moved}))
    for kind, reason, detail in changes:
        revoked = revoke_access(user, reason, now)
        record_security_event(kind, user=user, actor=actor, now=now, **detail, **revoked)


def set_away(user: User, away_until, *, by_self: bool = False) -> User:
    """A cadre on leave until a date (inclusive) is skipped by routing; None clears it.

    Only cadres can be away: a 422 when an admin sets it on another role, a 403 when a user asks it for itself.
    """
    if user.role != Role.CADRE:
        error = NotAllowed if by_self else ValidationFailed
        raise error("Only cadres can be away.", field="away_until")
    user.away_until = away_until
    return user


# -- API tokens ----------------------------------------------------------------------------------


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue_token(user: User, now: datetime | None = None) -> tuple[str, ApiToken]:
    """A new bearer token for `user`: the raw value is returned once, only its SHA-256 is stored."""
    now = now or utcnow()
    raw = secrets.token_urlsafe(32)
    days = int(current_app.config.get("API_TOKEN_DAYS", 30))
    token = ApiToken(
        user_id=user.id, token_hash=_token_hash(raw), created_at=now, expires_at=now + timedelta(days=days)
    )
    db.session.add(token)
    db.session.flush()
    record_security_event(Kind.TOKEN_ISSUED, user=user, now=now, token_id=token.id)
    return raw, token


def find_token(raw: str, now: datetime | None = None) -> ApiToken | None:
    """The live token with this value: not revoked, not expired, and its user still active."""
    now = now or utcnow()
    if not raw or len(raw) > 200:
        return None
    found = db.session.execute(_token_statement(), {"token_hash": _token_hash(raw)}).first()
    if found is None:
        return None
    token, stamp = found
    note_stamp(stamp)  # the reference tables' stamp comes with the token: one statement less (reference.py)
    if token.revoked_at is not None or token.expires_at <= now or not token.user.active:
        return None
    return token


@functools.cache
def _token_statement() -> Select:
    """The token and its user in one statement, built once: every API request starts here; with the stamp of the
    reference tables kept across requests (reference.py)."""
    return (
        select(ApiToken, STAMP_COLUMN)
        .options(joinedload(ApiToken.user))
        .where(ApiToken.token_hash == bindparam("token_hash"))
    )


def revoke_token(token: ApiToken, now: datetime | None = None) -> None:
    """Revoke one token (logging out of the API); the others of the same user keep working."""
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
        record_security_event(Kind.TOKEN_REVOKED, user=token.user, now=token.revoked_at, token_id=token.id)
    db.session.flush()
