"""The working-day calendar with the admins' overrides from the database, and the verbs on overrides.

One WorkCalendar is kept per set of overrides (keyed by the override rows themselves), so every
process sees an admin's change on its next call without a restart, and the per-day cache survives.
An override is never edited: to change one, delete it and add it again (both audited). Flush, never commit.
"""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import func, select

from helpdesk.audit.services import add_recorded, delete_recorded
from helpdesk.auth.models import User
from helpdesk.auth.services import admin_only
from helpdesk.calendar.models import HolidayOverride
from helpdesk.calendar.workdays import WorkCalendar
from helpdesk.errors import Conflict, ValidationFailed
from helpdesk.extensions import db
from helpdesk.reference import kept

_lock = threading.Lock()
_cache: dict[tuple, WorkCalendar] = {}


def get_calendar() -> WorkCalendar:
    """The calendar in force now: the package's schedule plus every override."""
    # Keyed by the overrides themselves: a count and newest id miss an edited row, or a deleted one
    # re-added under the same id (SQLite reuses ids; so does every rolled-back test transaction).
    columns = (HolidayOverride.day, HolidayOverride.is_workday)
    rows = kept("holiday_overrides", HolidayOverride, frozenset, columns=columns)  # helpdesk/reference.py
    key = (db.engine.url.render_as_string(), rows)
    with _lock:
        calendar = _cache.get(key)
    if calendar is None:
        calendar = WorkCalendar(dict(rows))
        with _lock:
            _cache.clear()
            _cache[key] = calendar
    return calendar


# -- holiday overrides -----------------------------------------------------------------------------


def add_holiday_override(actor: User, day: date, is_workday: bool, note: str = "") -> HolidayOverride:
    """Declare one date a working day (调休) or a day off; to change it, delete it and add it again."""
    admin_only(actor)
    if not isinstance(day, date):
        raise ValidationFailed("Choose a date.", field="day")
    if not 2000 <= day.year <= 2100:
        raise ValidationFailed("Choose a date between 2000 and 2100.", field="day")
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationFailed("Longer than maximum length %(high)s.", field="note", high=200)
    if db.session.scalar(select(func.count()).select_from(HolidayOverride).where(HolidayOverride.day == day)):
        raise Conflict("That date already has an override: delete it first to change it.", field="day")
    override = HolidayOverride(day=day, is_workday=bool(is_workday), note=note, created_by_id=actor.id)
    return add_recorded(actor, "holiday_override", override)


def delete_holiday_override(actor: User, override: HolidayOverride) -> None:
    admin_only(actor)
    delete_recorded(actor, "holiday_override", override)
