"""Deadline thresholds of PRODUCT.md §5, computed in working days and stored on the ticket.

A deadline of N working days ends at 23:59:59 local of the Nth working day after the filing day.
- response_due_at: end of the response day;
- yellow_from: 00:00 local of the due day (yellow all that day);
- due_at: end of the due day (orange after it);
- red_from: end of the RED_AFTER_DAYS-th working day after the due day, plus one second
  (from then on the ticket is overdue by RED_AFTER_DAYS full working days: red).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from helpdesk.calendar.workdays import WorkCalendar, end_of_day, local_date, start_of_day


@dataclass(frozen=True)
class Thresholds:
    response_due_at: datetime
    yellow_from: datetime
    due_at: datetime
    red_from: datetime


def due_thresholds(cal: WorkCalendar, due_day: date, red_after_days: int) -> tuple[datetime, datetime, datetime]:
    """(yellow_from, due_at, red_from) for a ticket due on `due_day`."""
    red_day = cal.add_working_days(due_day, red_after_days)
    return start_of_day(due_day), end_of_day(due_day), end_of_day(red_day) + timedelta(seconds=1)


def initial_thresholds(
    cal: WorkCalendar, filed_at: datetime, response_days: int, resolution_days: int, red_after_days: int
) -> Thresholds:
    day = local_date(filed_at)
    response_day = cal.add_working_days(day, response_days)
    yellow_from, due_at, red_from = due_thresholds(cal, cal.add_working_days(day, resolution_days), red_after_days)
    return Thresholds(end_of_day(response_day), yellow_from, due_at, red_from)


def shift_day(cal: WorkCalendar, moment: datetime, days: int) -> date:
    """The local day of `moment` moved by `days` working days."""
    return cal.add_working_days(local_date(moment), days)
