"""Creating users and checking credentials; the CLI, admin pages and API all call these."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from helpdesk.auth.models import Role, User
from helpdesk.enterprises.models import Enterprise
from helpdesk.errors import Conflict, ValidationFailed
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Department, Jurisdiction

MIN_PASSWORD = 8


def normalize_email(email: str) -> str:
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValidationFailed(f"Not a valid email address: {exc}", field="email") from exc


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
) -> User:
    """Create a user of a role with the one link that role needs (flushes, never commits)."""
    email = normalize_email(email)
    if role not in {r.value for r in Role}:
        raise ValidationFailed(f"Role must be one of {', '.join(r.value for r in Role)}.", field="role")
    if not (name or "").strip():
        raise ValidationFailed("Name is required.", field="name")
    if len(password or "") < MIN_PASSWORD:
        raise ValidationFailed(f"Password must be at least {MIN_PASSWORD} characters.", field="password")
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
            raise ValidationFailed(f"A {role} user needs {field}.", field=field)
        if db.session.get(model, value) is None:
            raise ValidationFailed(f"No such {field.removesuffix('_id')}: {value}.", field=field)
    if db.session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise Conflict(f"A user with email {email} already exists.", field="email")
    user = User(
        email=email,
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


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (same answer for both mistakes)."""
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None or not user.active or not user.check_password(password or ""):
        return None
    return user
