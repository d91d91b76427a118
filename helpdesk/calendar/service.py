"""The working-day calendar with the admins' overrides from the database.

One WorkCalendar is kept per set of overrides (keyed by the override rows themselves), so every
process sees an admin's change on its next call without a restart, and the per-day cache survives.
"""

from __future__ import annotations

import threading

from sqlalchemy import select

from helpdesk.calendar.models import HolidayOverride
from helpdesk.calendar.workdays import WorkCalendar
from helpdesk.extensions import db

_lock = threading.Lock()
_cache: dict[tuple, WorkCalendar] = {}


def get_calendar() -> WorkCalendar:
    """The calendar in force now: the package's schedule plus every override."""
    # Keyed by the overrides themselves: a count and newest id miss an edited row, or a deleted one
    # re-added under the same id (SQLite reuses ids; so does every rolled-back test transaction).
    query = select(HolidayOverride.day, HolidayOverride.is_workday)
    rows = frozenset((day, working) for day, working in db.session.execute(query))
    key = (db.engine.url.render_as_string(), rows)
    with _lock:
        calendar = _cache.get(key)
    if calendar is None:
        calendar = WorkCalendar(dict(rows))
        with _lock:
            _cache.clear()
            _cache[key] = calendar
    return calendar
