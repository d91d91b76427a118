"""When the demo's issues are filed: about Zhoukou's 626 a year, with the seasons of a real year.

Filings fall on working days, fewer in the weeks around the Spring Festival (the factories close, the
migrant workers go home), more in spring (projects start: land, approvals, hiring) and autumn (the
year's targets), a little fewer in the summer heat and at the year's close. Each month's count is a
little above or below what the seasons predict, as real months are. Pure functions of a random
generator and the working-day calendar, so the demo's year can be tested without building it.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from helpdesk.calendar.workdays import SHANGHAI, WorkCalendar

PER_YEAR = 626  # Zhoukou's issues of 2024
# The first day of the lunar year (春节), from the Chinese calendar.
SPRING_FESTIVAL = {
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
    2031: date(2031, 1, 23),
    2032: date(2032, 2, 11),
    2033: date(2033, 1, 31),
    2034: date(2034, 2, 19),
    2035: date(2035, 2, 8),
}
FESTIVAL_QUIET = (-10, 14)  # from ten days before the festival to two weeks after it
FESTIVAL_FACTOR = 0.3
MONTH_FACTORS = {
    1: 1.0,
    2: 1.0,
    3: 1.25,
    4: 1.25,
    5: 1.1,
    6: 1.0,
    7: 0.85,
    8: 0.8,
    9: 1.15,
    10: 1.05,
    11: 1.15,
    12: 0.9,
}
MONTH_NOISE = 0.08  # a month's count is within about ±8% of its expected value


def at(day: date, hour: float) -> datetime:
    """`hour` o'clock local on `day`, as aware UTC."""
    local = datetime.combine(day, time(0), tzinfo=SHANGHAI) + timedelta(hours=hour)
    return local.astimezone(UTC)


def festival_quiet(day: date) -> bool:
    """Whether `day` falls in the quiet weeks around the Spring Festival."""
    festival = SPRING_FESTIVAL.get(day.year)
    if festival is None:  # beyond the table: the festival falls between late January and mid-February
        return (day.month == 1 and day.day >= 25) or (day.month == 2 and day.day <= 20)
    return FESTIVAL_QUIET[0] <= (day - festival).days <= FESTIVAL_QUIET[1]


def day_weight(cal: WorkCalendar, day: date) -> float:
    """How many filings a day sees, relative to an ordinary working day (0 on days off)."""
    if not cal.is_workday(day):
        return 0.0
    return MONTH_FACTORS[day.month] * (FESTIVAL_FACTOR if festival_quiet(day) else 1.0)


def _days(first: date, end: date):
    day = first
    while day < end:
        yield day
        day += timedelta(days=1)


def _filing_hour(rng: random.Random) -> float:
    """Office hours, mornings busier; a few in the evening."""
    if rng.random() < 0.06:
        return rng.uniform(18.5, 22.0)
    return min(17.5, 8.5 + rng.triangular(0, 9, 1.5))


def spread(rng: random.Random, cal: WorkCalendar, first: date, end: date, count: int) -> list[datetime]:
    """Exactly `count` filing moments in [first, end), spread over the days by their weight."""
    days = [d for d in _days(first, end) if day_weight(cal, d)]
    weights = [day_weight(cal, d) for d in days]
    return sorted(at(day, _filing_hour(rng)) for day in rng.choices(days, weights, k=count))


def monthly_flow(
    rng: random.Random, cal: WorkCalendar, first: date, now: datetime, per_year: int = PER_YEAR
) -> list[datetime]:
    """About `per_year` filings a year from `first` until `now`, month by month, each month a little above
    or below what its days' weights predict."""
    today = now.astimezone(SHANGHAI).date()
    year_weight: dict[int, float] = {}
    moments: list[datetime] = []
    month = date(first.year, first.month, 1)
    while month <= today:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        if month.year not in year_weight:
            year_weight[month.year] = sum(
                day_weight(cal, d) for d in _days(date(month.year, 1, 1), date(month.year + 1, 1, 1))
            )
        days = [d for d in _days(max(month, first), min(following, today + timedelta(days=1))) if day_weight(cal, d)]
        weights = [day_weight(cal, d) for d in days]
        expected = per_year * sum(weights) / year_weight[month.year]
        count = max(0, round(rng.gauss(expected, expected * MONTH_NOISE))) if days else 0
        for day in rng.choices(days, weights, k=count) if days else []:
            moment = at(day, _filing_hour(rng))
            if moment < now - timedelta(minutes=10):
                moments.append(moment)
        month = following
    return sorted(moments)
