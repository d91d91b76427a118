"""Tests for helpdesk.calendar.workdays (PRODUCT.md §5, DOMAIN.md §5).

Expected dates are taken from the State Council (国务院办公厅) holiday notices for 2024 and 2025
and cross-checked against chinese_calendar 1.11.0.
"""

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk.calendar.workdays import (
    SHANGHAI,
    WorkCalendar,
    end_of_day,
    local_date,
    start_of_day,
    unknown_years,
)

D = date


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar()


def _days(year):
    d = D(year, 1, 1)
    while d.year == year:
        yield d
        d += timedelta(days=1)


# -- the published schedules -----------------------------------------------------------------

# Weekdays (Mon-Fri) that are days off, and weekend days that are make-up working days (调休).
SCHEDULE = {
    2024: {
        "weekday_off": [
            "01-01",  # 元旦
            "02-12",
            "02-13",
            "02-14",
            "02-15",
            "02-16",  # 春节 2/10-2/17
            "04-04",
            "04-05",  # 清明 4/4-4/6
            "05-01",
            "05-02",
            "05-03",  # 劳动节 5/1-5/5
            "06-10",  # 端午
            "09-16",
            "09-17",  # 中秋 9/15-9/17
            "10-01",
            "10-02",
            "10-03",
            "10-04",
            "10-07",  # 国庆 10/1-10/7
        ],
        # NB: 2024-02-18 is a Sunday (not a Saturday).
        "weekend_work": ["02-04", "02-18", "04-07", "04-28", "05-11", "09-14", "09-29", "10-12"],
    },
    2025: {
        "weekday_off": [
            "01-01",  # 元旦
            "01-28",
            "01-29",
            "01-30",
            "01-31",
            "02-03",
            "02-04",  # 春节 1/28-2/4
            "04-04",  # 清明 4/4-4/6
            "05-01",
            "05-02",
            "05-05",  # 劳动节 5/1-5/5
            "06-02",  # 端午 5/31-6/2
            "10-01",
            "10-02",
            "10-03",
            "10-06",
            "10-07",
            "10-08",  # 国庆+中秋 10/1-10/8
        ],
        "weekend_work": ["01-26", "02-08", "04-27", "09-28", "10-11"],
    },
}


@pytest.mark.parametrize("year", sorted(SCHEDULE))
def test_full_year_matches_state_council_notice(cal, year):
    weekday_off = {D.fromisoformat(f"{year}-{md}") for md in SCHEDULE[year]["weekday_off"]}
    weekend_work = {D.fromisoformat(f"{year}-{md}") for md in SCHEDULE[year]["weekend_work"]}
    for d in _days(year):
        expected = (d.weekday() < 5 and d not in weekday_off) or d in weekend_work
        assert cal.is_workday(d) is expected, d
        assert cal.is_known(d)


@pytest.mark.parametrize(
    "d, weekday",
    [
        (D(2024, 2, 4), 6),
        (D(2024, 2, 18), 6),
        (D(2024, 9, 29), 6),
        (D(2024, 10, 12), 5),
        (D(2025, 1, 26), 6),
        (D(2025, 2, 8), 5),
        (D(2025, 4, 27), 6),
        (D(2025, 9, 28), 6),
        (D(2025, 10, 11), 5),
    ],
)
def test_make_up_days_are_weekend_working_days(cal, d, weekday):
    assert d.weekday() == weekday
    assert cal.is_workday(d)


# -- add_working_days ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, n, expected",
    [
        # Spring Festival 2024: off 2/10-2/17; make-up Sun 2/4 and Sun 2/18.
        (D(2024, 2, 2), 1, D(2024, 2, 4)),  # Fri + 1 -> the make-up Sunday
        (D(2024, 2, 8), 2, D(2024, 2, 18)),  # Thu: Fri 2/9, then the make-up Sunday 2/18
        (D(2024, 2, 9), 1, D(2024, 2, 18)),
        (D(2024, 2, 9), 2, D(2024, 2, 19)),
        # Spring Festival 2025: off 1/28-2/4; make-up Sun 1/26 and Sat 2/8.
        (D(2025, 1, 24), 1, D(2025, 1, 26)),
        (D(2025, 1, 24), 2, D(2025, 1, 27)),
        (D(2025, 1, 24), 3, D(2025, 2, 5)),
        (D(2025, 1, 24), 6, D(2025, 2, 8)),  # lands on the make-up Saturday
        (D(2025, 1, 24), 7, D(2025, 2, 10)),
        # National Day 2024: off 10/1-10/7; make-up Sun 9/29 and Sat 10/12.
        (D(2024, 9, 27), 1, D(2024, 9, 29)),
        (D(2024, 9, 27), 3, D(2024, 10, 8)),
        (D(2024, 10, 10), 2, D(2024, 10, 12)),  # lands on the make-up Saturday
        (D(2024, 10, 10), 3, D(2024, 10, 14)),
        # National Day + Mid-Autumn 2025: off 10/1-10/8; make-up Sun 9/28 and Sat 10/11.
        (D(2025, 9, 26), 5, D(2025, 10, 10)),  # DOMAIN.md's check: 9/28, 9/29, 9/30, 10/9, 10/10
        (D(2025, 9, 30), 1, D(2025, 10, 9)),
        (D(2025, 10, 9), 2, D(2025, 10, 11)),  # lands on the make-up Saturday
        (D(2025, 10, 9), 3, D(2025, 10, 13)),
        # Labour Day 2025: off 5/1-5/5; make-up Sun 4/27.
        (D(2025, 4, 25), 1, D(2025, 4, 27)),
        (D(2025, 4, 30), 1, D(2025, 5, 6)),
        # Across the year end.
        (D(2024, 12, 31), 1, D(2025, 1, 2)),
        (D(2025, 12, 31), 2, D(2026, 1, 5)),  # 1/1-1/3 off, Sun 2026-01-04 is a make-up day
        # Ordinary weeks.
        (D(2025, 3, 7), 1, D(2025, 3, 10)),  # Fri + 1 = Mon
        (D(2025, 3, 8), 1, D(2025, 3, 10)),  # from a Saturday
        (D(2025, 3, 3), 10, D(2025, 3, 17)),
    ],
)
def test_add_working_days(cal, start, n, expected):
    assert cal.add_working_days(start, n) == expected
    assert cal.shift_working_days(start, n) == expected
    assert cal.working_days_between(start, expected) == n


@pytest.mark.parametrize("d", [D(2025, 3, 5), D(2025, 3, 8), D(2025, 10, 1), D(2031, 6, 1)])
def test_add_zero_returns_the_day_itself(cal, d):
    assert cal.add_working_days(d, 0) == d
    assert cal.shift_working_days(d, 0) == d


def test_negative_n_and_wrong_types_are_refused(cal):
    with pytest.raises(ValueError):
        cal.add_working_days(D(2025, 3, 5), -1)
    with pytest.raises(TypeError):
        cal.is_workday(datetime(2025, 3, 5, tzinfo=UTC))
    with pytest.raises(TypeError):
        cal.add_working_days("2025-03-05", 1)


# -- working_days_between --------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (D(2025, 3, 7), D(2025, 3, 10), 1),  # Fri -> Mon: only Monday
        (D(2025, 3, 7), D(2025, 3, 9), 0),  # Fri -> Sun
        (D(2025, 3, 5), D(2025, 3, 5), 0),  # same day
        (D(2025, 3, 10), D(2025, 3, 7), 0),  # end before start
        (D(2025, 9, 30), D(2025, 10, 8), 0),  # the whole National Day holiday
        (D(2025, 9, 30), D(2025, 10, 9), 1),
        (D(2025, 9, 26), D(2025, 10, 12), 6),  # 9/28, 9/29, 9/30, 10/9, 10/10, 10/11
        (D(2024, 2, 9), D(2024, 2, 17), 0),  # Spring Festival 2024
        (D(2024, 2, 9), D(2024, 2, 19), 2),  # make-up Sun 2/18 + Mon 2/19
        (D(2025, 1, 27), D(2025, 2, 5), 1),  # Spring Festival 2025
        (D(2024, 12, 31), D(2025, 1, 2), 1),
    ],
)
def test_working_days_between(cal, start, end, expected):
    assert cal.working_days_between(start, end) == expected


# -- overrides -------------------------------------------------------------------------------


def test_override_makes_holiday_a_working_day_and_weekday_a_day_off():
    cal = WorkCalendar({D(2025, 10, 1): True, D(2025, 3, 12): False})
    assert cal.is_workday(D(2025, 10, 1))
    assert not cal.is_workday(D(2025, 3, 12))
    assert cal.is_workday(D(2025, 10, 2)) is False  # untouched days keep the package value
    assert cal.add_working_days(D(2025, 9, 26), 5) == D(2025, 10, 9)  # 9/28, 9/29, 9/30, 10/1, 10/9
    assert cal.add_working_days(D(2025, 3, 11), 1) == D(2025, 3, 13)
    assert cal.working_days_between(D(2025, 3, 10), D(2025, 3, 14)) == 3
    # the default calendar is unaffected
    assert not WorkCalendar().is_workday(D(2025, 10, 1))


def test_overrides_are_copied():
    src = {D(2025, 3, 12): False}
    cal = WorkCalendar(src)
    src[D(2025, 3, 12)] = True
    assert not cal.is_workday(D(2025, 3, 12))
    assert dict(cal.overrides) == {D(2025, 3, 12): False}


# -- years without a schedule ----------------------------------------------------------------


def test_unknown_year_counts_weekends_only_and_warns_once(caplog):
    cal = WorkCalendar()
    with caplog.at_level(logging.WARNING, logger="helpdesk.calendar"):
        for _ in range(3):
            for d in _days(2031):
                assert cal.is_workday(d) is (d.weekday() < 5)
        assert cal.is_workday(D(2031, 1, 1))  # a Wednesday: New Year is unknown, so it counts
        assert cal.add_working_days(D(2031, 5, 2), 1) == D(2031, 5, 5)  # Fri -> Mon
        assert cal.working_days_between(D(2031, 9, 30), D(2031, 10, 7)) == 5
    warnings = [r for r in caplog.records if r.name == "helpdesk.calendar" and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert warnings[0].getMessage() == (
        "no holiday schedule for 2031: counting weekends only; add overrides when it is announced"
    )


def test_one_warning_per_unknown_year(caplog):
    cal = WorkCalendar()
    with caplog.at_level(logging.WARNING, logger="helpdesk.calendar"):
        cal.add_working_days(D(2026, 12, 20), 30)  # runs into 2027
        cal.add_working_days(D(2026, 12, 20), 30)
        cal.is_workday(D(2031, 3, 3))
        cal.is_workday(D(2026, 6, 1))  # known: no warning
    messages = [r.getMessage() for r in caplog.records if r.name == "helpdesk.calendar"]
    assert len(messages) == 2
    assert "2027" in messages[0] and "2031" in messages[1]


def test_is_known(caplog):
    cal = WorkCalendar({D(2031, 1, 1): False})
    with caplog.at_level(logging.WARNING, logger="helpdesk.calendar"):
        assert cal.is_known(D(2004, 1, 1))
        assert cal.is_known(D(2025, 10, 1))
        assert cal.is_known(D(2026, 12, 31))
        assert not cal.is_known(D(2003, 12, 31))
        assert not cal.is_known(D(2027, 1, 1))
        assert cal.is_known(D(2031, 1, 1))  # by the override
        assert not cal.is_known(D(2031, 1, 2))
        assert not cal.is_workday(D(2031, 1, 1))  # the override wins; no warning for it
    assert caplog.records == []


def test_unknown_years():
    cal = WorkCalendar({D(2031, 1, 1): False})
    assert unknown_years(cal, [2025, 2026, 2027, 2031, 2003, 2027]) == [2003, 2027]
    assert unknown_years(WorkCalendar(), range(2024, 2028)) == [2027]
    assert unknown_years(cal, []) == []


# -- day boundaries in Asia/Shanghai ---------------------------------------------------------


def test_end_and_start_of_day():
    eod = end_of_day(D(2025, 10, 10))
    assert eod == datetime(2025, 10, 10, 15, 59, 59, tzinfo=UTC)
    assert eod.utcoffset() == timedelta(0)
    sod = start_of_day(D(2025, 10, 10))
    assert sod == datetime(2025, 10, 9, 16, 0, 0, tzinfo=UTC)
    assert sod.utcoffset() == timedelta(0)
    assert eod.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") == "2025-10-10 23:59:59"


def test_local_date():
    assert local_date(datetime(2025, 10, 9, 16, 0, tzinfo=UTC)) == D(2025, 10, 10)
    assert local_date(datetime(2025, 10, 9, 15, 59, 59, tzinfo=UTC)) == D(2025, 10, 9)
    assert local_date(end_of_day(D(2024, 2, 29))) == D(2024, 2, 29)
    assert local_date(start_of_day(D(2024, 2, 29))) == D(2024, 2, 29)
    with pytest.raises(ValueError):
        local_date(datetime(2025, 10, 9, 12, 0))  # naive


# -- properties ------------------------------------------------------------------------------

_PROP_CAL = WorkCalendar()


@settings(max_examples=300, deadline=None)
@given(d=st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 12, 31)), n=st.integers(0, 40))
def test_property_add_then_count(d, n):
    cal = _PROP_CAL
    result = cal.add_working_days(d, n)
    if n == 0:
        assert result == d
    else:
        assert result > d
        assert cal.is_workday(result)
        # it is the first day with that count: the day before has one fewer
        assert cal.working_days_between(d, result - timedelta(days=1)) == n - 1
    assert cal.working_days_between(d, result) == n
    assert cal.shift_working_days(d, n) == result
