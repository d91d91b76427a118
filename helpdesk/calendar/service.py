"""The working-day calendar with the admins' overrides from the database.

One WorkCalendar is kept per set of overrides (fingerprinted by count and newest id), so every
process sees an admin's change on its next call without a restart, and the per-day cache survives.
"""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from helpdesk.calendar.models import HolidayOverride
from helpdesk.calendar.workdays import WorkCalendar
from helpdesk.extensions import db

_lock = threading.Lock()
_cache: dict[tuple, WorkCalendar] = {}


def get_calendar() -> WorkCalendar:
    """The calendar in force now: the package's schedule plus every override."""
    count, newest = db.session.execute(select(func.count(HolidayOverride.id), func.max(HolidayOverride.id))).one()
    key = (db.engine.url.render_as_string(), count, newest)
    with _lock:
        calendar = _cache.get(key)
    if calendar is None:
        overrides = {row.day: row.is_workday for row in db.session.scalars(select(HolidayOverride))}
        calendar = WorkCalendar(overrides)
        with _lock:
            _cache.clear()
            _cache[key] = calendar
    return calendar
