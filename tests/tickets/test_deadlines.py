"""Deadlines in working days (PRODUCT.md §5): holidays, 调休 make-up days, overrides, the stopped clock.

Every expected date below was counted by hand from the State Council (国务院办公厅) schedules:
2024 Spring Festival off 2/10–2/17, make-up Sun 2/4 and Sun 2/18; 2024 National Day off 10/1–10/7,
make-up Sun 9/29 and Sat 10/12; 2025 Spring Festival off 1/28–2/4, make-up Sun 1/26 and Sat 2/8;
2025 National Day off 10/1–10/8, make-up Sun 9/28 and Sat 10/11. A deadline of N working days ends
at 23:59:59 Shanghai time on the Nth working day after the filing day; red starts when the ticket is
RED_AFTER_DAYS (3) full working days overdue.
"""

from datetime import UTC, date, datetime, time

import pytest

from helpdesk.calendar.models import HolidayOverride
from helpdesk.calendar.workdays import SHANGHAI
from helpdesk.tickets.services import perform_action
from tests import factories as f


def local(d: date, hh: int = 10, mm: int = 0, ss: int = 0) -> datetime:
    """A Shanghai wall-clock time as an aware UTC datetime (what the services take and store)."""
    return datetime.combine(d, time(hh, mm, ss), tzinfo=SHANGHAI).astimezone(UTC)


def end(d: date) -> datetime:
    return local(d, 23, 59, 59)


def midnight(d: date) -> datetime:
    return local(d, 0, 0, 0)


D = date


@pytest.fixture()
def w(db):
    world = f.World()
    world.miit_cadre = f.fast_cadre("411602", "miit")  # `policy` tickets of 川汇区 go to its 工信局
    return world


def _file(w, category, filed_at):
    return f.file(w.owner, category=category, now=filed_at)


# -- concrete due dates ----------------------------------------------------------------------------

CASES = [
    # (filed on, at local time, category (resolution days), response due day, due day, red from 00:00 of)
    # An ordinary week: Tue 2025-03-11 + 7 → Thu 3/20; red after Fri 3/21, Mon 3/24, Tue 3/25.
    (D(2025, 3, 11), (10, 0), "policy", D(2025, 3, 12), D(2025, 3, 20), D(2025, 3, 26)),
    # Filed 00:30 on Wednesday in Shanghai (still Tuesday in UTC): the Shanghai day counts.
    (D(2025, 3, 12), (0, 30), "policy", D(2025, 3, 13), D(2025, 3, 21), D(2025, 3, 27)),
    # 23:59:59 on Tuesday is still Tuesday.
    (D(2025, 3, 11), (23, 59), "policy", D(2025, 3, 12), D(2025, 3, 20), D(2025, 3, 26)),
    # Filed on a Saturday: Mon 3/17 is the first working day.
    (D(2025, 3, 15), (10, 0), "policy", D(2025, 3, 17), D(2025, 3, 25), D(2025, 3, 29)),
    # 2024 Spring Festival: Thu 2/8 + 7 → 2/9, (2/10–2/17 off), Sun 2/18 make-up, 2/19–2/23 → Fri 2/23.
    (D(2024, 2, 8), (10, 0), "policy", D(2024, 2, 9), D(2024, 2, 23), D(2024, 2, 29)),
    # Fri 2/2 + 5 → Sun 2/4 make-up, 2/5–2/8 → Thu 2/8; red after 2/9, Sun 2/18, 2/19.
    (D(2024, 2, 2), (10, 0), "utilities", D(2024, 2, 4), D(2024, 2, 8), D(2024, 2, 20)),
    # 2024 National Day: Fri 9/27 + 7 → Sun 9/29, 9/30, (10/1–10/7), 10/8–10/11, Sat 10/12.
    (D(2024, 9, 27), (10, 0), "policy", D(2024, 9, 29), D(2024, 10, 12), D(2024, 10, 17)),
    # ... + 15 → Sat 10/12 is the 7th; 10/14–10/18 (8–12), 10/21–10/23 (13–15).
    (D(2024, 9, 27), (10, 0), "land", D(2024, 9, 29), D(2024, 10, 23), D(2024, 10, 29)),
    # 2025 Spring Festival: Fri 1/24 + 7 → Sun 1/26, Mon 1/27, (1/28–2/4), 2/5–2/7, Sat 2/8, Mon 2/10.
    (D(2025, 1, 24), (10, 0), "policy", D(2025, 1, 26), D(2025, 2, 10), D(2025, 2, 14)),
    # Mon 1/27 + 10 → 2/5, 2/6, 2/7, Sat 2/8, 2/10–2/14, Mon 2/17.
    (D(2025, 1, 27), (10, 0), "finance", D(2025, 2, 5), D(2025, 2, 17), D(2025, 2, 21)),
    # 2025 National Day: Fri 9/26 + 15 → Sun 9/28, 9/29, 9/30, (10/1–10/8), 10/9, 10/10, Sat 10/11,
    # 10/13–10/17, 10/20–10/23 → Thu 10/23.
    (D(2025, 9, 26), (10, 0), "land", D(2025, 9, 28), D(2025, 10, 23), D(2025, 10, 29)),
    # Tue 9/30 + 5 → 10/9, 10/10, Sat 10/11, 10/13, 10/14; red after 10/15, 10/16, 10/17.
    (D(2025, 9, 30), (10, 0), "utilities", D(2025, 10, 9), D(2025, 10, 14), D(2025, 10, 18)),
    # Filed on a holiday (Fri 10/3): 10/9, 10/10, Sat 10/11, 10/13–10/16 → Thu 10/16.
    (D(2025, 10, 3), (10, 0), "policy", D(2025, 10, 9), D(2025, 10, 16), D(2025, 10, 22)),
    # Filed on the make-up Saturday 10/11: that day does not count itself.
    (D(2025, 10, 11), (10, 0), "utilities", D(2025, 10, 13), D(2025, 10, 17), D(2025, 10, 23)),
]


@pytest.mark.parametrize(
    "filed_on, at, category, response_day, due_day, red_day",
    CASES,
    ids=[f"{c[0]}-{c[2]}" for c in CASES],
)
def test_deadlines_count_working_days_in_shanghai(w, filed_on, at, category, response_day, due_day, red_day):
    ticket = _file(w, category, local(filed_on, *at))
    assert ticket.response_due_at == end(response_day)
    assert ticket.yellow_from == midnight(due_day)
    assert ticket.due_at == end(due_day)
    assert ticket.red_from == midnight(red_day)


def test_due_at_is_stored_as_utc(w):
    ticket = _file(w, "policy", f.TUESDAY)
    assert ticket.due_at == datetime(2025, 3, 20, 15, 59, 59, tzinfo=UTC)
    assert ticket.yellow_from == datetime(2025, 3, 19, 16, 0, tzinfo=UTC)
    assert ticket.due_at.astimezone(SHANGHAI).replace(tzinfo=None) == datetime(2025, 3, 20, 23, 59, 59)


def test_red_after_days_is_configurable(w, app, monkeypatch):
    monkeypatch.setitem(app.config, "RED_AFTER_DAYS", 1)
    ticket = _file(w, "policy", f.TUESDAY)
    assert ticket.red_from == midnight(D(2025, 3, 22))  # the end of Fri 3/21, one working day late


# -- admin overrides ------------------------------------------------------------------------------


def _override(day, is_workday, note=""):
    f.db.session.add(HolidayOverride(day=day, is_workday=is_workday, note=note))
    f.db.session.flush()


def test_override_day_off_moves_deadlines_of_tickets_filed_afterwards(w):
    before = _file(w, "policy", f.TUESDAY)
    assert before.due_at == end(D(2025, 3, 20))
    _override(D(2025, 3, 14), False, "local day off")
    after = _file(w, "policy", f.TUESDAY)
    # 3/12, 3/13, (3/14 off), 3/17–3/21.
    assert after.due_at == end(D(2025, 3, 21))
    assert before.due_at == end(D(2025, 3, 20))  # already filed: unchanged


def test_override_workday_brings_deadlines_forward(w):
    _override(D(2025, 3, 15), True, "make-up Saturday")
    ticket = _file(w, "policy", f.TUESDAY)
    # 3/12, 3/13, 3/14, Sat 3/15, 3/17, 3/18, 3/19.
    assert ticket.due_at == end(D(2025, 3, 19))
    assert ticket.red_from == midnight(D(2025, 3, 25))  # 3/20, 3/21, 3/24


def test_an_unannounced_year_counts_weekends_only_until_overrides_arrive(w):
    filed = local(D(2026, 12, 31))  # Thursday
    # 2027 is beyond the calendar package: Fri 1/1 counts as a working day.
    assert _file(w, "policy", filed).due_at == end(D(2027, 1, 11))
    _override(D(2027, 1, 1), False, "元旦")
    assert _file(w, "policy", filed).due_at == end(D(2027, 1, 12))


# -- the stopped clock (request_info … provide_info) ---------------------------------------------


def _waiting(w, filed_at, asked_at, category="policy"):
    ticket = _file(w, category, filed_at)
    perform_action(ticket.assignee, ticket, "accept", now=filed_at)
    perform_action(ticket.assignee, ticket, "request_info", note="请补充材料", now=asked_at)
    assert ticket.paused_at == asked_at
    return ticket


def _last_data(ticket):
    return ticket.events[-1].data


def test_friday_to_monday_wait_is_one_working_day(w):
    ticket = _waiting(w, f.TUESDAY, local(D(2025, 3, 14)))  # asked Friday
    response_due = ticket.response_due_at
    perform_action(w.owner, ticket, "provide_info", note="已补充", now=local(D(2025, 3, 17)))  # answered Monday
    assert _last_data(ticket) == {"waited_working_days": 1}
    assert ticket.paused_at is None
    assert ticket.status == "in_progress"
    assert ticket.yellow_from == midnight(D(2025, 3, 21))
    assert ticket.due_at == end(D(2025, 3, 21))
    assert ticket.red_from == midnight(D(2025, 3, 27))  # 3/24, 3/25, 3/26
    assert ticket.response_due_at == response_due  # already answered: nothing to move


def test_same_day_answer_moves_nothing(w):
    ticket = _waiting(w, f.TUESDAY, local(D(2025, 3, 13), 9))
    before = (ticket.response_due_at, ticket.yellow_from, ticket.due_at, ticket.red_from)
    perform_action(w.owner, ticket, "provide_info", note="已补充", now=local(D(2025, 3, 13), 17))
    assert _last_data(ticket) == {"waited_working_days": 0}
    assert (ticket.response_due_at, ticket.yellow_from, ticket.due_at, ticket.red_from) == before


def test_wait_over_the_2025_national_day_counts_only_working_days(w):
    # Filed Mon 9/22, land 15: 9/23–9/26, Sun 9/28, 9/29, 9/30, (10/1–10/8), 10/9, 10/10, Sat 10/11,
    # 10/13–10/17 → due Fri 10/17.
    ticket = _waiting(w, local(D(2025, 9, 22)), local(D(2025, 9, 26)), category="land")
    assert ticket.due_at == end(D(2025, 10, 17))
    # Asked Fri 9/26, answered Thu 10/9: Sun 9/28, 9/29, 9/30 and 10/9 are working days.
    perform_action(w.owner, ticket, "provide_info", note="已补充", now=local(D(2025, 10, 9)))
    assert _last_data(ticket) == {"waited_working_days": 4}
    assert ticket.due_at == end(D(2025, 10, 23))  # 10/20, 10/21, 10/22, 10/23
    assert ticket.yellow_from == midnight(D(2025, 10, 23))
    assert ticket.red_from == midnight(D(2025, 10, 29))  # 10/24, 10/27, 10/28


def test_wait_entirely_inside_the_holiday_counts_nothing(w):
    ticket = _waiting(w, local(D(2025, 9, 22)), local(D(2025, 9, 30), 17), category="land")
    perform_action(w.owner, ticket, "provide_info", note="假期中补充", now=local(D(2025, 10, 8), 20))
    assert _last_data(ticket) == {"waited_working_days": 0}
    assert ticket.due_at == end(D(2025, 10, 17))


def test_only_thresholds_still_ahead_move(w):
    # Due Thu 3/20; asked on Fri 3/21 (already past due, red from 3/26); answered Mon 3/24.
    ticket = _waiting(w, f.TUESDAY, local(D(2025, 3, 21)))
    perform_action(w.owner, ticket, "provide_info", note="已补充", now=local(D(2025, 3, 24)))
    assert _last_data(ticket) == {"waited_working_days": 1}
    assert ticket.due_at == end(D(2025, 3, 20))
    assert ticket.yellow_from == midnight(D(2025, 3, 20))
    assert ticket.red_from == midnight(D(2025, 3, 27))  # red day 3/25 → 3/26


def test_a_red_ticket_asked_for_information_stays_red(w):
    ticket = _waiting(w, f.TUESDAY, local(D(2025, 3, 28)))  # red since 3/26
    perform_action(w.owner, ticket, "provide_info", note="已补充", now=local(D(2025, 4, 1)))
    assert ticket.red_from == midnight(D(2025, 3, 26))


def test_the_clock_is_stopped_while_awaiting_the_enterprise(w):
    ticket = _waiting(w, f.TUESDAY, local(D(2025, 3, 14)))
    assert ticket.warning_at(local(D(2025, 4, 30))) is None


# -- extensions ----------------------------------------------------------------------------------


def test_extend_moves_due_and_the_thresholds_that_follow(w):
    ticket = _file(w, "policy", f.TUESDAY)
    response_due = ticket.response_due_at
    perform_action(w.supervisor, ticket, "extend", days=3, note="需要省厅批复", now=local(D(2025, 3, 18)))
    assert ticket.due_at == end(D(2025, 3, 25))  # 3/21, 3/24, 3/25
    assert ticket.yellow_from == midnight(D(2025, 3, 25))
    assert ticket.red_from == midnight(D(2025, 3, 29))  # 3/26, 3/27, 3/28
    assert ticket.response_due_at == response_due
    data = _last_data(ticket)
    assert data["days"] == 3
    assert datetime.fromisoformat(data["from_due_at"]) == end(D(2025, 3, 20))
    assert datetime.fromisoformat(data["to_due_at"]) == end(D(2025, 3, 25))


def test_extend_over_the_2025_national_day(w):
    # Fri 9/19 + 7 → 9/22–9/26, Sun 9/28, Mon 9/29.
    ticket = _file(w, "policy", local(D(2025, 9, 19)))
    assert ticket.due_at == end(D(2025, 9, 29))
    perform_action(w.supervisor, ticket, "extend", days=2, note="假期", now=local(D(2025, 9, 29)))
    assert ticket.due_at == end(D(2025, 10, 9))  # 9/30, (10/1–10/8), 10/9
    assert ticket.red_from == midnight(D(2025, 10, 14))  # 10/10, Sat 10/11, 10/13


def test_extending_an_overdue_ticket_can_bring_it_back_to_green(w):
    ticket = _file(w, "policy", f.TUESDAY)
    perform_action(w.miit_cadre, ticket, "accept", now=f.TUESDAY)
    late = local(D(2025, 3, 21))
    assert ticket.warning_at(late) == "orange"
    perform_action(w.supervisor, ticket, "extend", days=5, note="延期", now=late)
    assert ticket.warning_at(late) == "green"


@pytest.mark.parametrize("action", ["transfer", "escalate", "withdraw"])
def test_leaving_awaiting_by_any_route_credits_the_wait(w, action):
    """A ticket that waited for the enterprise keeps the days it waited, however it leaves that state."""
    ticket = _waiting(w, f.TUESDAY, local(D(2025, 3, 14)))  # asked Friday 3/14, due Thu 3/20
    actor = w.owner if action == "withdraw" else w.supervisor
    extra = {"department_id": w.hrss.id} if action == "transfer" else {}
    perform_action(actor, ticket, action, note="处理", now=local(D(2025, 3, 19)), **extra)  # Wednesday
    assert ticket.paused_at is None
    assert _last_data(ticket)["waited_working_days"] == 3  # Mon 3/17, Tue 3/18, Wed 3/19
    assert ticket.due_at == end(D(2025, 3, 25))
