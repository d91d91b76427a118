"""Each figure of PRODUCT.md §6 against small hand-computed fixtures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from helpdesk.reports.figures import Figures, gap_to_target, score
from helpdesk.reports.services import resolution_report
from helpdesk.tickets.services import perform_action
from tests import factories
from tests.factories import TUESDAY, World

from .conftest import AS_OF, FILED

WEIGHTS = {"response_rate": 0.10, "completion_rate": 0.50, "satisfaction_rate": 0.40}


def county_report(admin, code: str = "411602", **kwargs) -> Figures:
    kwargs.setdefault("as_of", AS_OF)
    return resolution_report(admin, jurisdiction_id=factories.jurisdiction(code).id, **kwargs).overall


# -- the worked example ------------------------------------------------------------------------------


def test_gap_to_target_is_exact_in_decimal():
    # 0.99 × 626 in binary floating point is 619.7399999999999…; in decimal it is 619.74, so ⌈⌉ = 620.
    assert gap_to_target(0.99, 626, 0) == 620
    assert gap_to_target(0.99, 626, 619) == 1
    assert gap_to_target(0.99, 626, 620) == 0
    assert gap_to_target(0.99, 100, 99) == 0  # exactly at the target
    assert gap_to_target(0.99, 0, 0) == 0
    assert gap_to_target(0.99, 10, 10) == 0


@pytest.mark.parametrize(("completed", "meets", "gap"), [(620, True, 0), (619, False, 1)])
def test_worked_example_626_eligible(app, tickets, admin, completed, meets, gap):
    tickets.add(completed, status="closed", rating="satisfied")
    tickets.add(626 - completed, status="in_progress", first_response_at=FILED + timedelta(hours=1))
    tickets.add(3, status="withdrawn")  # not eligible: the 626 stay 626
    figures = county_report(admin)
    assert (figures.total, figures.eligible, figures.completed) == (629, 626, completed)
    assert figures.completion_rate == pytest.approx(completed / 626)
    assert figures.meets_target is meets
    assert figures.gap_to_target == gap
    assert (completed / 626 >= 0.99) is meets


# -- nothing to measure -------------------------------------------------------------------------------


def test_empty_scope_has_null_rates(tickets, admin):
    figures = county_report(admin)
    assert figures.as_dict() == {
        "total": 0,
        "eligible": 0,
        "completed": 0,
        "closed": 0,
        "completion_rate": None,
        "closed_rate": None,
        "on_time_rate": None,
        "response_rate": None,
        "satisfaction_rate": None,
        "open_by_warning": {"green": 0, "yellow": 0, "orange": 0, "red": 0, "awaiting": 0},
        "gap_to_target": 0,
        "meets_target": None,
        "score": None,
        "callback_rate": None,
        "verified_solved_rate": None,
    }


def test_everything_declined_or_withdrawn_leaves_nothing_eligible(db, admin):
    world = World()
    world.ticket("declined")
    world.ticket("declined")
    world.ticket("withdrawn")
    figures = county_report(world.admin, as_of=TUESDAY + timedelta(days=30))
    assert (figures.total, figures.eligible, figures.completed) == (3, 0, 0)
    assert figures.completion_rate is figures.closed_rate is figures.response_rate is None
    assert figures.meets_target is None and figures.score is None and figures.gap_to_target == 0


# -- completion, closing, on time -----------------------------------------------------------------


def test_completion_and_closed_rates_through_the_engine(db):
    world = World()
    for status in ("assigned", "in_progress", "awaiting_enterprise", "resolved", "closed", "closed", "withdrawn"):
        world.ticket(status)
    figures = county_report(world.admin, as_of=TUESDAY + timedelta(hours=6))
    assert (figures.total, figures.eligible, figures.completed, figures.closed) == (7, 6, 3, 2)
    assert figures.completion_rate == pytest.approx(3 / 6)
    assert figures.closed_rate == pytest.approx(2 / 6)
    assert figures.gap_to_target == 6 - 3  # ⌈0.99 × 6⌉ = 6
    assert figures.meets_target is False


def test_reopened_ticket_is_not_completed_until_resolved_again(db):
    world = World()
    ticket = world.ticket("resolved")
    later = TUESDAY + timedelta(days=1)
    perform_action(world.owner, ticket, "reopen", note="没有解决", now=later)
    figures = county_report(world.admin, as_of=later)
    assert (figures.completed, figures.completion_rate, figures.on_time_rate) == (0, 0.0, None)
    assert figures.open_by_warning["green"] == 1

    perform_action(world.liaison, ticket, "resolve", note="重新办理", now=later + timedelta(hours=1))
    perform_action(world.owner, ticket, "reopen", note="还是没有解决", now=later + timedelta(hours=2))
    figures = county_report(world.admin, as_of=later + timedelta(hours=3))
    assert figures.completed == 0
    assert figures.open_by_warning["red"] == 1  # reopened twice

    perform_action(world.liaison, ticket, "resolve", note="第三次办理", now=later + timedelta(hours=4))
    figures = county_report(world.admin, as_of=later + timedelta(hours=5))
    assert (figures.completed, figures.completion_rate, figures.on_time_rate) == (1, 1.0, 1.0)
    assert figures.open_by_warning == {"green": 0, "yellow": 0, "orange": 0, "red": 0, "awaiting": 0}


def test_on_time_rate_counts_completions_by_their_deadline(db):
    world = World()
    on_time = world.ticket("in_progress")
    late = world.ticket("in_progress")
    at_the_second = world.ticket("in_progress")
    open_late = world.ticket("in_progress")  # overdue but not completed: not in on_time_rate at all
    perform_action(world.liaison, on_time, "resolve", note="按期办结", now=on_time.due_at - timedelta(days=1))
    perform_action(world.liaison, late, "resolve", note="超期办结", now=late.due_at + timedelta(seconds=1))
    perform_action(world.liaison, at_the_second, "resolve", note="最后一秒", now=at_the_second.due_at)
    as_of = open_late.due_at + timedelta(days=1)
    figures = county_report(world.admin, as_of=as_of)
    assert figures.completed == 3
    assert figures.on_time_rate == pytest.approx(2 / 3)
    assert figures.open_by_warning["orange"] == 1


# -- response rate --------------------------------------------------------------------------------


def test_response_rate_edges(tickets, admin):
    due = FILED + timedelta(days=1)
    as_of = FILED + timedelta(days=2)
    tickets.add(status="in_progress", response_due_at=due, first_response_at=due)  # at the deadline: on time
    tickets.add(status="in_progress", response_due_at=due, first_response_at=due - timedelta(hours=5))  # on time
    tickets.add(status="in_progress", response_due_at=due, first_response_at=due + timedelta(seconds=1))  # late
    tickets.add(status="assigned", response_due_at=due)  # never answered, deadline passed: counts, not on time
    tickets.add(status="assigned", response_due_at=as_of + timedelta(hours=1))  # not answered, not due yet: left out
    tickets.add(status="assigned", response_due_at=as_of)  # due exactly now: not yet passed, left out
    tickets.add(status="declined", response_due_at=due)  # not eligible
    tickets.add(status="withdrawn", response_due_at=due, first_response_at=due)  # not eligible
    figures = county_report(admin, as_of=as_of)
    assert figures.eligible == 6
    assert figures.response_rate == pytest.approx(2 / 4)


def test_response_rate_through_the_engine(db):
    world = World()
    answered = world.ticket("assigned")
    world.ticket("assigned")  # never accepted
    perform_action(world.liaison, answered, "accept", now=TUESDAY + timedelta(hours=1))
    assert county_report(world.admin, as_of=TUESDAY + timedelta(hours=2)).response_rate == 1.0
    late = answered.response_due_at + timedelta(hours=1)
    assert county_report(world.admin, as_of=late).response_rate == pytest.approx(1 / 2)


# -- satisfaction ---------------------------------------------------------------------------------


def test_satisfaction_counts_basically_satisfied_as_nine_tenths(tickets, admin):
    tickets.add(2, status="closed", rating="satisfied")
    tickets.add(1, status="closed", rating="basically_satisfied")
    tickets.add(1, status="closed", rating="dissatisfied")
    tickets.add(2, status="closed")  # auto-closed: no rating, not in the denominator
    figures = county_report(admin)
    assert figures.satisfaction_rate == pytest.approx((2 + 0.9) / 4)
    assert figures.closed == 6


def test_unrated_auto_closures_are_closed_but_not_rated(db):
    world = World()
    rated = world.ticket("resolved")
    unrated = world.ticket("resolved")
    later = TUESDAY + timedelta(days=10)
    perform_action(world.owner, rated, "confirm", rating="basically_satisfied", now=later)
    perform_action(None, unrated, "auto_close", now=later)
    figures = county_report(world.admin, as_of=later)
    assert (figures.completed, figures.closed, figures.closed_rate) == (2, 2, 1.0)
    assert figures.satisfaction_rate == pytest.approx(0.9)


def test_only_unrated_closures_give_null_satisfaction(tickets, admin):
    tickets.add(3, status="closed")
    figures = county_report(admin)
    assert figures.satisfaction_rate is None
    assert figures.completion_rate == 1.0


# -- warnings -------------------------------------------------------------------------------------


def test_open_by_warning_counts_each_colour_and_awaiting(tickets, admin):
    now = AS_OF
    answered = {"first_response_at": now - timedelta(days=30), "response_due_at": now - timedelta(days=29)}
    future = {
        "yellow_from": now + timedelta(days=1),
        "due_at": now + timedelta(days=2),
        "red_from": now + timedelta(days=5),
    }
    tickets.add(2, status="in_progress", **answered, **future)  # green
    tickets.add(
        1, status="assigned", response_due_at=now + timedelta(hours=1), **{k: v for k, v in future.items()}
    )  # green: response not due yet
    tickets.add(1, status="assigned", response_due_at=now - timedelta(hours=1), **future)  # yellow: no response
    tickets.add(
        1,
        status="in_progress",
        **answered,
        yellow_from=now - timedelta(hours=1),
        due_at=now + timedelta(hours=10),
        red_from=now + timedelta(days=3),
    )  # yellow: due today
    tickets.add(
        1,
        status="submitted",
        **answered,
        yellow_from=now - timedelta(days=2),
        due_at=now - timedelta(days=1),
        red_from=now + timedelta(days=2),
    )  # orange
    tickets.add(
        1,
        status="in_progress",
        **answered,
        yellow_from=now - timedelta(days=6),
        due_at=now - timedelta(days=5),
        red_from=now - timedelta(days=1),
    )  # red: overdue 3+ days
    tickets.add(1, status="in_progress", **answered, **future, reopen_count=2)  # red: reopened twice
    tickets.add(
        2,
        status="awaiting_enterprise",
        **answered,
        yellow_from=now - timedelta(days=6),
        due_at=now - timedelta(days=5),
        red_from=now - timedelta(days=1),
    )  # clock stopped
    tickets.add(1, status="resolved", **future)  # no warning
    tickets.add(1, status="declined", **future)  # no warning
    figures = county_report(admin, as_of=now)
    assert figures.open_by_warning == {"green": 3, "yellow": 2, "orange": 1, "red": 2, "awaiting": 2}


# -- score ----------------------------------------------------------------------------------------


def test_score_weights_the_rates_that_exist():
    rates = {"response_rate": 1.0, "completion_rate": 0.5, "satisfaction_rate": 0.9}
    assert score(rates, WEIGHTS) == pytest.approx(100 * (0.1 * 1.0 + 0.5 * 0.5 + 0.4 * 0.9))
    rates["satisfaction_rate"] = None  # nobody rated yet: the other two carry the score
    assert score(rates, WEIGHTS) == pytest.approx(100 * (0.1 * 1.0 + 0.5 * 0.5) / 0.6)
    assert score(dict.fromkeys(rates), WEIGHTS) is None


def test_score_reads_score_weights_from_config(app, tickets, admin, monkeypatch):
    tickets.add(1, status="closed", rating="dissatisfied")
    tickets.add(1, status="in_progress", first_response_at=FILED + timedelta(hours=1))
    monkeypatch.setitem(app.config, "SCORE_WEIGHTS", {"response_rate": 0, "completion_rate": 1, "satisfaction_rate": 0})
    monkeypatch.setitem(app.config, "COMPLETION_TARGET", 0.5)
    figures = county_report(admin)
    assert figures.score == pytest.approx(50.0)
    assert figures.meets_target is True and figures.gap_to_target == 0


def test_report_default_weights_score(tickets, admin):
    tickets.add(1, status="closed", rating="satisfied")  # response on time, completed, satisfied
    tickets.add(1, status="assigned", response_due_at=FILED + timedelta(days=1))  # no response, deadline passed
    figures = county_report(admin)
    expected = 100 * (0.1 * 0.5 + 0.5 * 0.5 + 0.4 * 1.0) / 1.0
    assert figures.score == pytest.approx(expected)


# -- how the figures are computed -----------------------------------------------------------------


@pytest.mark.parametrize("group_by", [None, "jurisdiction", "department", "cadre", "category", "month", "week"])
def test_report_costs_two_queries_on_tickets_however_many_there_are(app, db, tickets, admin, group_by):
    tickets.add(40, status="closed", rating="satisfied")
    tickets.add(40, status="in_progress", county="411603", category="land")
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        report = resolution_report(admin, group_by=group_by, as_of=AS_OF)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert report.overall.total == 80
    # One query groups every ticket in scope, one counts the open ones by colour; the rest is reference data.
    assert sum(1 for s in statements if "FROM tickets" in s) == 2
    assert len(statements) <= 5


def test_as_dict_shape(tickets, admin):
    tickets.add(1, status="closed", rating="satisfied")
    data = resolution_report(admin, group_by="category", as_of=AS_OF).as_dict()
    assert set(data) == {"target", "as_of", "overall", "rows"}
    assert data["target"] == 0.99
    assert data["as_of"] == "2025-03-12T02:00:00+00:00"
    assert data["rows"][0]["key"] == "policy"
    assert set(data["rows"][0]) == {"key", "label", *data["overall"]}
