"""The demo's filing calendar (seeding/demo_flow.py): Zhoukou's volume with the seasons of a real year.

Pure functions of a random generator and the working-day calendar: no database, no engine.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime

from helpdesk.calendar.workdays import SHANGHAI, WorkCalendar
from helpdesk.seeding.demo_flow import PER_YEAR, SPRING_FESTIVAL, day_weight, festival_quiet, monthly_flow, spread

CAL = WorkCalendar()
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def _months(moments) -> Counter:
    return Counter(m.astimezone(SHANGHAI).strftime("%Y-%m") for m in moments)


def test_2024_holds_exactly_zhoukous_626_on_working_days():
    moments = spread(random.Random(1), CAL, date(2024, 1, 1), date(2025, 1, 1), 626)
    assert len(moments) == 626 and moments == sorted(moments)
    days = {m.astimezone(SHANGHAI).date() for m in moments}
    assert all(CAL.is_workday(d) and d.year == 2024 for d in days)


def test_a_year_of_flow_is_about_zhoukous_volume_with_months_above_and_below_their_mean():
    moments = monthly_flow(random.Random(2), CAL, date(2025, 1, 1), datetime(2026, 1, 1, tzinfo=UTC))
    assert abs(len(moments) - PER_YEAR) <= 0.08 * PER_YEAR
    per_month = _months(moments)
    assert len(per_month) == 12
    mean = len(moments) / 12
    assert any(n > mean for n in per_month.values()) and any(n < mean for n in per_month.values())


def test_the_spring_festival_is_quiet_and_spring_and_autumn_are_busy():
    counts = Counter()
    for seed in range(5):
        counts += _months(monthly_flow(random.Random(seed), CAL, date(2026, 1, 1), datetime(2027, 1, 1, tzinfo=UTC)))
    festival_month = counts["2026-02"]  # 春节 on 17 February 2026
    assert festival_month < 0.6 * counts["2026-03"]
    assert counts["2026-04"] > counts["2026-08"] and counts["2026-11"] > counts["2026-07"]


def test_the_quiet_weeks_surround_each_festival():
    for year, festival in SPRING_FESTIVAL.items():
        assert festival_quiet(festival) and festival_quiet(date(year, festival.month, festival.day))
    assert festival_quiet(date(2026, 2, 10)) and festival_quiet(date(2026, 3, 2))
    assert not festival_quiet(date(2026, 1, 20)) and not festival_quiet(date(2026, 3, 10))
    assert festival_quiet(date(2040, 2, 5))  # beyond the table: late January to mid-February
    assert day_weight(CAL, date(2026, 2, 18)) == 0  # the holiday week
    assert day_weight(CAL, date(2026, 2, 14)) == 0.3  # a make-up working Saturday (调休), in the quiet weeks
    assert day_weight(CAL, date(2026, 3, 10)) > day_weight(CAL, date(2026, 2, 26)) > 0


def test_the_flow_stops_before_now_and_is_the_same_for_the_same_seed():
    first = monthly_flow(random.Random(3), CAL, date(2025, 1, 1), NOW)
    assert first == monthly_flow(random.Random(3), CAL, date(2025, 1, 1), NOW)
    assert first[-1] < NOW and first[0] >= datetime(2024, 12, 31, 16, 0, tzinfo=UTC)
    assert first != monthly_flow(random.Random(4), CAL, date(2025, 1, 1), NOW)
