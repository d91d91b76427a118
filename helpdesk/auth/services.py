"""Creating users and checking credentials; the CLI, admin pages and API all call these."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from helpdesk.audit.services import record_change, snapshot
from helpdesk.auth.models import ApiToken, Role, User
from helpdesk.db import utcnow
from helpdesk.enterprises.models import Enterprise
from helpdesk.errors import Conflict, NotAllowed, Term, ValidationFailed
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Department, Jurisdiction
from helpdesk.labels import ROLE_LABELS

MIN_PASSWORD = 8
# A mainland mobile number (11 digits, 13x–19x), for SMS; spaces, dashes and a +86 / 86 prefix are dropped.
MOBILE = re.compile(r"1[3-9]\d{9}")

# What a role's user is linked to, as refusals name it.
LINK_LABELS = {
    "enterprise_id": _l("an enterprise"),
    "department_id": _l("a department"),
    "jurisdiction_id": _l("a jurisdiction"),
}


def normalize_email(email: str) -> str:
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        # email-validator explains in English; other languages get a hint of their own.
        reason = Term(str(exc), _l("check that it reads like name@example.cn"))
        raise ValidationFailed("Not a valid email address: %(reason)s", field="email", reason=reason) from exc


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
) -> User:
    """Create a user of a role with the one link that role needs (flushes, never commits)."""
    email = normalize_email(email)
    if role not in {r.value for r in Role}:
        roles = Term.either([Term(r.value, ROLE_LABELS[r.value]) for r in Role])
        raise ValidationFailed("Role must be one of %(roles)s.", field="role", roles=roles)
    if not (name or "").strip():
        raise ValidationFailed("Name is required.", field="name")
    if len(password or "") < MIN_PASSWORD:
        raise ValidationFailed("Password must be at least %(n)s characters.", field="password", n=MIN_PASSWORD)
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
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def admin_only(actor: User | None) -> None:
    """Admin verbs refuse everybody else (403)."""
    if actor is None or actor.role != Role.ADMIN:
        raise NotAllowed("Only admins change reference data.")


def create_user_as_admin(actor: User, **values) -> User:
    """Create a user of any role (see auth.services.create_user), audited."""
    admin_only(actor)
    user = create_user(**values)
    record_change(actor, "user", user, "create", None)
    return user


def set_user_active(actor: User, user: User, active: bool) -> User:
    """Deactivate (or reactivate) a user: a deactivated user cannot log in and its tokens stop working."""
    return update_user(actor, user, {"active": bool(active)})


def reset_password(actor: User, user: User, password: str) -> User:
    return update_user(actor, user, {"password": password})


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (same answer for both mistakes)."""
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
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


def update_user(actor: User, user: User, values: dict) -> User:
    """Admin changes to a user: name, active, password, department_id, away_until, locale, mobile (audited)."""
    if actor.role != Role.ADMIN:
        raise NotAllowed("Only admins change other users.")
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
        if len(values["password"] or "") < MIN_PASSWORD:
            raise ValidationFailed("Password must be at least %(n)s characters.", field="password", n=MIN_PASSWORD)
        user.set_password(values["password"])
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
    record_change(actor, "user", user, "update", before)
    return user


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
    return raw, token


def find_token(raw: str, now: datetime | None = None) -> ApiToken | None:
    """The live token with this value: not revoked, not expired, and its user still active."""
    now = now or utcnow()
    if not raw or len(raw) > 200:
        return None
    # The token and its user in one statement: every API request starts here.
    token = db.session.scalar(
        select(ApiToken).options(joinedload(ApiToken.user)).where(ApiToken.token_hash == _token_hash(raw))
    )
    if token is None or token.revoked_at is not None or token.expires_at <= now or not token.user.active:
        return None
    return token


def revoke_token(token: ApiToken, now: datetime | None = None) -> None:
    """Revoke one token (logging out of the API); the others of the same user keep working."""
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
    db.session.flush()
