"""The three-colour warning (PRODUCT.md §5): warning_at (Python), warning_sql and warning_filter (SQL) agree."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from helpdesk.calendar.workdays import SHANGHAI
from helpdesk.tickets.models import COMPLETED_STATUSES, Colour, Status, Ticket
from helpdesk.tickets.services import perform_action
from tests import factories as f


def local(d: date, hh: int = 10, mm: int = 0, ss: int = 0) -> datetime:
    return datetime.combine(d, time(hh, mm, ss), tzinfo=SHANGHAI).astimezone(UTC)


D = date


@pytest.fixture()
def w(db):
    return f.World()


def colours(ticket, now):
    """(Python, SQL expression, the set of colours whose filter selects the row) at `now`."""
    session = f.db.session
    session.flush()
    python = ticket.warning_at(now)
    sql = session.scalar(select(Ticket.warning_sql(now)).where(Ticket.id == ticket.id))
    filtered = {
        colour
        for colour in Colour
        if session.scalar(
            select(func.count()).select_from(Ticket).where(Ticket.id == ticket.id, Ticket.warning_filter(colour, now))
        )
    }
    return python, sql, filtered


def assert_colour(ticket, now, expected):
    python, sql, filtered = colours(ticket, now)
    assert python == expected, "warning_at"
    assert sql == (expected.value if expected else None), "warning_sql"
    assert filtered == ({expected} if expected else set()), "warning_filter"


# A land ticket (15 working days) filed Tue 2025-03-11 10:00: response due end of Wed 3/12; due Tue 4/1
# (3/12–3/14, 3/17–3/21, 3/24–3/28, 3/31, 4/1); red after 4/2, 4/3, (清明 4/4–4/6), 4/7: from 4/8 00:00.
FILED = f.TUESDAY


def test_the_thresholds_of_the_example_ticket(w):
    ticket = w.ticket("assigned", now=FILED)
    assert ticket.response_due_at == local(D(2025, 3, 12), 23, 59, 59)
    assert ticket.yellow_from == local(D(2025, 4, 1), 0)
    assert ticket.due_at == local(D(2025, 4, 1), 23, 59, 59)
    assert ticket.red_from == local(D(2025, 4, 8), 0)


@pytest.mark.parametrize(
    "now, expected",
    [
        (local(D(2025, 3, 12), 23, 59, 59), Colour.GREEN),  # response due, not yet late
        (local(D(2025, 3, 31), 23, 59, 59), Colour.GREEN),
        (local(D(2025, 4, 1), 0), Colour.YELLOW),  # the day it falls due, from 00:00
        (local(D(2025, 4, 1), 23, 59, 59), Colour.YELLOW),  # due_at itself is not past due
        (local(D(2025, 4, 2), 0), Colour.ORANGE),
        (local(D(2025, 4, 7), 23, 59, 59), Colour.ORANGE),
        (local(D(2025, 4, 8), 0), Colour.RED),  # three full working days overdue
        (local(D(2025, 12, 31)), Colour.RED),
    ],
)
def test_colours_of_an_answered_ticket_over_time(w, now, expected):
    ticket = w.ticket("in_progress", now=FILED)  # accepted at filing: answered in time
    assert_colour(ticket, now, expected)


def test_no_first_response_by_response_due_is_yellow(w):
    ticket = w.ticket("assigned", now=FILED)
    assert_colour(ticket, local(D(2025, 3, 12), 23, 59, 59), Colour.GREEN)
    assert_colour(ticket, local(D(2025, 3, 13), 0), Colour.YELLOW)


def test_a_late_first_response_stays_yellow(w):
    ticket = w.ticket("assigned", now=FILED)
    perform_action(w.liaison, ticket, "accept", now=local(D(2025, 3, 13), 9))
    assert_colour(ticket, local(D(2025, 3, 20)), Colour.YELLOW)


def test_a_first_response_in_time_is_green(w):
    ticket = w.ticket("assigned", now=FILED)
    perform_action(w.liaison, ticket, "accept", now=local(D(2025, 3, 12), 23, 59, 59))
    assert_colour(ticket, local(D(2025, 3, 20)), Colour.GREEN)


@pytest.mark.parametrize(
    "reopen_count, expected", [(0, Colour.GREEN), (1, Colour.GREEN), (2, Colour.RED), (3, Colour.RED)]
)
def test_reopened_twice_is_red(w, reopen_count, expected):
    ticket = w.ticket("in_progress", now=FILED)
    for n in range(reopen_count):
        at = FILED + timedelta(hours=n + 1)
        perform_action(w.liaison, ticket, "resolve", note="已解决", now=at)
        perform_action(w.owner, ticket, "reopen", note="没有解决", now=at)
    assert ticket.reopen_count == reopen_count
    assert_colour(ticket, local(D(2025, 3, 14)), expected)


@pytest.mark.parametrize("status", ["submitted", "assigned", "in_progress"])
def test_clocked_statuses_have_a_colour(w, status):
    ticket = w.ticket(status, now=FILED)
    assert_colour(ticket, local(D(2025, 5, 30)), Colour.RED)


@pytest.mark.parametrize("status", ["awaiting_enterprise", "resolved", "closed", "withdrawn", "declined"])
def test_no_warning_when_the_clock_does_not_run(w, status):
    ticket = w.ticket(status, now=FILED)
    for now in (local(D(2025, 3, 12)), local(D(2025, 4, 1)), local(D(2025, 4, 3)), local(D(2025, 5, 30))):
        assert_colour(ticket, now, None)


def test_now_in_any_time_zone_gives_the_same_colour(w):
    ticket = w.ticket("in_progress", now=FILED)
    moment = local(D(2025, 4, 1), 0)
    assert_colour(ticket, moment.astimezone(SHANGHAI), Colour.YELLOW)
    assert_colour(ticket, moment - timedelta(microseconds=1), Colour.GREEN)


# -- the property: Python and SQL agree on any ticket at any time ------------------------------

BASE = datetime(2025, 3, 11, 2, 0, tzinfo=UTC)
DAY_US = 86_400 * 1_000_000

# Times on a coarse grid (half days) nudged by a microsecond at most, so that thresholds and `now`
# often coincide or sit just either side of each other: the boundaries are where the two could
# disagree. Sometimes any time at all.
_grid = st.builds(
    lambda k, nudge: BASE + timedelta(hours=12 * k, microseconds=nudge),
    st.integers(0, 10),
    st.sampled_from([0, 0, 1, -1]),
)
moments = st.one_of(
    _grid, _grid, _grid, st.integers(-5 * DAY_US, 40 * DAY_US).map(lambda us: BASE + timedelta(microseconds=us))
)


@st.composite
def ticket_states(draw):
    response_due, yellow, due, red = (draw(moments) for _ in range(4))
    if draw(st.booleans()):  # the real shape: yellow ≤ due < red; otherwise any thresholds at all
        yellow, due, red = sorted([yellow, due, red])
        red += timedelta(microseconds=1)
    first_response = draw(
        st.one_of(
            st.none(),
            st.just(response_due),
            st.integers(-10 * DAY_US, -1).map(lambda us: response_due + timedelta(microseconds=us)),  # before
            st.integers(1, 10 * DAY_US).map(lambda us: response_due + timedelta(microseconds=us)),  # after
            moments,
        )
    )
    state = {
        # Clocked statuses are where colours differ: drawn more often than the others.
        "status": draw(st.sampled_from(["submitted", "assigned", "in_progress"] * 2 + [s.value for s in Status])),
        "response_due_at": response_due,
        "yellow_from": yellow,
        "due_at": due,
        "red_from": red,
        "first_response_at": first_response,
        "reopen_count": draw(st.sampled_from([0, 0, 1, 2, 3])),
    }
    now = draw(moments)
    if draw(st.booleans()):
        now = now.astimezone(SHANGHAI)
    return state, now


@pytest.fixture()
def row(w):
    return w.ticket("assigned", now=FILED)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(example=ticket_states())
def test_python_and_sql_warnings_agree(row, example):
    state, now = example
    session = f.db.session
    savepoint = session.begin_nested()
    try:
        for name, value in state.items():
            setattr(row, name, value)
        if state["status"] in COMPLETED_STATUSES:
            row.resolved_at = BASE  # the database insists on it
        python, sql, filtered = colours(row, now)
        assert sql == (python.value if python else None)
        assert filtered == ({python} if python else set())
        if state["status"] not in ("submitted", "assigned", "in_progress"):
            assert python is None
    finally:
        savepoint.rollback()
