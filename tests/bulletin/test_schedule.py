"""What the delivery worker sends when: last month's bulletin, from the first working day of the month, for
every jurisdiction with an active supervisor, once (claimed by one worker)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from helpdesk.bulletin.schedule import bulletins_due, claim_bulletin, first_working_day
from helpdesk.calendar.models import HolidayOverride
from helpdesk.calendar.services import get_calendar
from helpdesk.calendar.workdays import SHANGHAI
from tests import factories as f


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI).astimezone(UTC)


@pytest.fixture()
def supervised(db):
    """Supervisors of 周口市 and 川汇区 (two of 淮阳区, one inactive), and an inactive one of 扶沟县."""
    f.fast_supervisor("411600")
    f.fast_supervisor("411602")
    f.fast_supervisor("411603")
    f.fast_supervisor("411603", active=False)
    f.fast_supervisor("411621", active=False)
    return ["411600", "411602", "411603"]


def _due(now):
    return [(j.code, month) for j, month in bulletins_due(now)]


@pytest.mark.parametrize(
    ("month", "first"),
    [
        (date(2026, 10, 1), date(2026, 10, 8)),  # National Day and the Mid-Autumn festival: 1–7 October off
        (date(2026, 1, 1), date(2026, 1, 4)),  # New Year 1–3 January; Sunday the 4th is a make-up working day (调休)
        (date(2026, 2, 1), date(2026, 2, 2)),  # a Sunday first: Monday
        (date(2026, 12, 1), date(2026, 12, 1)),  # a Tuesday
        (date(2025, 10, 1), date(2025, 10, 9)),  # 2025: 1–8 October off
    ],
)
def test_first_working_day_of_a_month(db, month, first):
    assert first_working_day(month) == first


def test_nothing_is_due_before_the_first_working_day(supervised):
    for day in range(1, 8):
        assert _due(at(date(2026, 10, day))) == [], day


def test_the_first_working_day_after_national_day_sends_septembers(supervised):
    assert _due(at(date(2026, 10, 8))) == [(code, date(2026, 9, 1)) for code in supervised]


def test_a_make_up_sunday_is_a_first_working_day(supervised):
    assert _due(at(date(2026, 1, 3))) == []
    assert _due(at(date(2026, 1, 4))) == [(code, date(2025, 12, 1)) for code in supervised]


def test_a_claimed_bulletin_is_not_due_again_and_cannot_be_claimed_twice(supervised):
    now = at(date(2026, 10, 8))
    first = bulletins_due(now)[0]
    jurisdiction, month = first
    assert claim_bulletin(jurisdiction.id, month, now) is True
    assert claim_bulletin(jurisdiction.id, month, now) is False  # another worker, or a retry
    assert (jurisdiction.code, month) not in _due(now)
    assert len(_due(now)) == len(supervised) - 1
    # Missed on its day (the worker was down): still due on the following days of the month …
    assert len(_due(at(date(2026, 10, 20)))) == len(supervised) - 1
    # … and November's are due in November, whatever happened to October's.
    assert _due(at(date(2026, 11, 2))) == [(code, date(2026, 10, 1)) for code in supervised]


def test_a_year_the_holiday_package_does_not_know_counts_weekends_until_admins_load_it(supervised):
    # 2027 is beyond chinesecalendar 1.11: Friday 1 January counts as a working day …
    assert _due(at(date(2027, 1, 1))) == [(code, date(2026, 12, 1)) for code in supervised]
    # … until an admin loads the holiday: then Monday the 4th is the first working day.
    f.db.session.add(HolidayOverride(day=date(2027, 1, 1), is_workday=False, note="元旦"))
    f.db.session.flush()
    assert first_working_day(date(2027, 1, 1), get_calendar()) == date(2027, 1, 4)
    assert _due(at(date(2027, 1, 1))) == []
    assert _due(at(date(2027, 1, 4))) == [(code, date(2026, 12, 1)) for code in supervised]


def test_no_supervisor_no_bulletin(db):
    assert _due(at(date(2026, 10, 8))) == []
