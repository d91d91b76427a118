"""Working days in mainland China, and the Asia/Shanghai day boundaries used by deadlines.

Pure module: no Flask, no database.  The holiday schedule comes from the ``chinese_calendar``
package (it covers 2004-2026 in version 1.11.0 and raises ``NotImplementedError`` outside
that range); admin overrides (date -> working day or not) win over it.  For a date that
neither covers, only weekends are off and one warning per year is logged on
``helpdesk.calendar``.

Typical use (PRODUCT.md §5)::

    cal = WorkCalendar(overrides)            # build once, reuse: results are cached per instance
    due_day = cal.add_working_days(local_date(filed_at), category.resolution_days)
    due_at = end_of_day(due_day)             # 23:59:59 Asia/Shanghai, as an aware UTC datetime
"""

from __future__ import annotations

import logging
import threading
import zoneinfo
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType

import chinese_calendar

__all__ = [
    "SHANGHAI",
    "WorkCalendar",
    "end_of_day",
    "local_date",
    "start_of_day",
    "unknown_years",
]

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

logger = logging.getLogger("helpdesk.calendar")

_ONE_DAY = timedelta(days=1)


def _check_date(d: object, name: str = "d") -> date:
    # datetime is a subclass of date: refuse it, so that a UTC timestamp is never silently
    # read as a Shanghai calendar day (use local_date() first).
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"{name} must be a datetime.date (not {type(d).__name__}); use local_date() for datetimes")
    return d


def _package_year_known(year: int) -> bool:
    """True if chinese_calendar has a holiday schedule for this year."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class WorkCalendar:
    """Working days in mainland China: statutory holidays and 调休 make-up days from chinese_calendar, admin overrides on top."""

    def __init__(self, overrides: Mapping[date, bool] | None = None):
        cleaned: dict[date, bool] = {}
        for d, working in (overrides or {}).items():
            cleaned[_check_date(d, "override date")] = bool(working)
        self._overrides = cleaned
        self._override_years = frozenset(d.year for d in cleaned)
        self._cache: dict[date, bool] = {}
        self._year_known: dict[int, bool] = {}
        self._warned_years: set[int] = set()
        self._lock = threading.Lock()

    # -- introspection -------------------------------------------------------------------

    @property
    def overrides(self) -> Mapping[date, bool]:
        """The admin overrides (read-only view)."""
        return MappingProxyType(self._overrides)

    @property
    def override_years(self) -> frozenset[int]:
        """Years that have at least one override."""
        return self._override_years

    def package_covers_year(self, year: int) -> bool:
        """True if the chinese_calendar package has a schedule for ``year``."""
        known = self._year_known.get(year)
        if known is None:
            known = self._year_known[year] = _package_year_known(year)
        return known

    def is_known(self, d: date) -> bool:
        """True if ``d`` is covered by an override or by the package's schedule."""
        _check_date(d)
        return d in self._overrides or self.package_covers_year(d.year)

    # -- single days ---------------------------------------------------------------------

    def is_workday(self, d: date) -> bool:
        """True if ``d`` is a working day (override, else package, else Monday-Friday)."""
        try:
            return self._cache[d]
        except KeyError:
            pass
        except TypeError:  # unhashable: let _check_date give the proper message
            pass
        _check_date(d)
        result = self._compute(d)
        self._cache[d] = result
        return result

    def _compute(self, d: date) -> bool:
        if d in self._overrides:
            return self._overrides[d]
        if self.package_covers_year(d.year):
            try:
                return bool(chinese_calendar.is_workday(d))
            except NotImplementedError:  # pragma: no cover - the year check above should prevent it
                pass
        self._warn_unknown_year(d.year)
        return d.weekday() < 5

    def _warn_unknown_year(self, year: int) -> None:
        with self._lock:
            if year in self._warned_years:
                return
            self._warned_years.add(year)
        logger.warning(
            "no holiday schedule for %d: counting weekends only; add overrides when it is announced",
            year,
        )

    # -- arithmetic ----------------------------------------------------------------------

    def add_working_days(self, d: date, n: int) -> date:
        """The ``n``-th working day after ``d`` (``d`` itself does not count); ``n == 0`` returns ``d``."""
        _check_date(d)
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError("n must be an int")
        if n < 0:
            raise ValueError("n must be >= 0")
        is_workday = self.is_workday
        day = d
        while n:
            day += _ONE_DAY
            if is_workday(day):
                n -= 1
        return day

    # Moving a deadline's day by n working days is the same operation.
    shift_working_days = add_working_days

    def working_days_between(self, start: date, end: date) -> int:
        """Number of working days ``w`` with ``start < w <= end``; 0 if ``end <= start``."""
        _check_date(start, "start")
        _check_date(end, "end")
        is_workday = self.is_workday
        count = 0
        day = start + _ONE_DAY
        while day <= end:
            if is_workday(day):
                count += 1
            day += _ONE_DAY
        return count


def unknown_years(cal: WorkCalendar, years: Iterable[int]) -> list[int]:
    """The years (sorted, unique) with neither package data nor any override, for an admin warning."""
    return sorted({y for y in years if not cal.package_covers_year(y) and y not in cal.override_years})


# -- Asia/Shanghai day boundaries ------------------------------------------------------------


def end_of_day(d: date, tz: zoneinfo.ZoneInfo = SHANGHAI) -> datetime:
    """23:59:59 local time on ``d``, as an aware UTC datetime."""
    _check_date(d)
    return datetime.combine(d, time(23, 59, 59), tzinfo=tz).astimezone(UTC)


def start_of_day(d: date, tz: zoneinfo.ZoneInfo = SHANGHAI) -> datetime:
    """00:00:00 local time on ``d``, as an aware UTC datetime."""
    _check_date(d)
    return datetime.combine(d, time(0, 0, 0), tzinfo=tz).astimezone(UTC)


def local_date(dt: datetime, tz: zoneinfo.ZoneInfo = SHANGHAI) -> date:
    """The calendar date of the aware datetime ``dt`` in ``tz`` (Asia/Shanghai by default)."""
    if not isinstance(dt, datetime):
        raise TypeError("dt must be a datetime")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("dt must be timezone-aware (store timestamps in UTC)")
    return dt.astimezone(tz).date()
