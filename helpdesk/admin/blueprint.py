"""The admin blueprint (under /admin: admins only) and the helpers its page modules share."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_babel import gettext as _
from sqlalchemy import select

from helpdesk.auth.models import Role, User
from helpdesk.calendar.services import get_calendar
from helpdesk.calendar.workdays import local_date, unknown_years
from helpdesk.db import utcnow
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Department, Jurisdiction
from helpdesk.pages import check_id, display_name, grouped_options, options, role_required

bp = Blueprint("admin", __name__)


@bp.before_request
@role_required(Role.ADMIN.value)
def _admins_only():
    """Every page here is for admins (403 for the other roles, login first for strangers)."""


def get_or_404(model, object_id: int):
    obj = db.session.get(model, check_id(object_id))
    if obj is None:
        abort(404)
    return obj


def jurisdictions() -> list[Jurisdiction]:
    return list(db.session.scalars(select(Jurisdiction).order_by(Jurisdiction.code)))


def jurisdiction_choices(blank: bool = True) -> list:
    return options(([("", _("Choose…"))] if blank else []) + [(j.id, display_name(j)) for j in jurisdictions()])


def department_choices(jurisdiction_ids: list[int] | None = None) -> list:
    """Departments grouped by jurisdiction, for selects."""
    query = select(Department).join(Jurisdiction).order_by(Jurisdiction.code, Department.id)
    if jurisdiction_ids is not None:
        query = query.where(Department.jurisdiction_id.in_(jurisdiction_ids))
    groups: dict[str, list] = {"": [("", _("Choose…"))]}
    for department in db.session.scalars(query):
        groups.setdefault(display_name(department.jurisdiction), []).append((department.id, display_name(department)))
    return grouped_options(groups)


def calendar_warning() -> list[int]:
    """Years around today that neither the holiday package nor an override covers."""
    this_year = local_date(utcnow()).year
    return unknown_years(get_calendar(), range(this_year - 1, this_year + 2))


def actors_of(entries) -> dict[int, User]:
    """The users who made these audit entries, by id."""
    ids = {e.actor_id for e in entries if e.actor_id}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
