"""The callback queue: whose tickets, which ones (completed lately, not reached yet), in which order
(auto-closed and unsolved-again first, then a sample), and a sample that is the same everywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import literal, select

from helpdesk.callbacks.queries import Reason, callback_queue, sample_bucket, sample_bucket_sql
from helpdesk.callbacks.services import record_callback
from helpdesk.errors import NotAllowed
from helpdesk.tickets.services import perform_action
from tests.callbacks.conftest import NOW, auto_closed_by_the_sweep, completed


@pytest.fixture()
def everyone_sampled(app):
    """CALLBACK_SAMPLE_PERCENT=100: every completed ticket is in the sample (the order is what is tested)."""
    before = app.config["CALLBACK_SAMPLE_PERCENT"]
    app.config["CALLBACK_SAMPLE_PERCENT"] = 100
    yield
    app.config["CALLBACK_SAMPLE_PERCENT"] = before


def _queue(user, **kwargs):
    return callback_queue(user, NOW, **kwargs)


def _ids(page) -> list[int]:
    return [item.ticket.id for item in page.items]


def test_auto_closed_tickets_come_first_then_the_others_oldest_completion_first(w, everyone_sampled):
    newer_resolved = completed(w, "resolved", days_ago=2)
    older_closed = completed(w, "closed", days_ago=6)
    auto_closed = auto_closed_by_the_sweep(w)  # resolved 12 days ago
    newer_auto_closed = completed(w, "auto_closed", days_ago=4)

    page = _queue(w.supervisor)

    assert _ids(page) == [auto_closed.id, newer_auto_closed.id, older_closed.id, newer_resolved.id]
    assert [item.reason for item in page.items] == [
        Reason.AUTO_CLOSED,
        Reason.AUTO_CLOSED,
        Reason.SAMPLE,
        Reason.SAMPLE,
    ]
    assert page.total == 4 and [item.attempts for item in page.items] == [0, 0, 0, 0]


def test_only_tickets_completed_within_the_last_callback_days(app, w, everyone_sampled):
    recent = completed(w, "closed", days_ago=29)
    completed(w, "closed", days_ago=31)
    w.ticket("in_progress", now=NOW - timedelta(days=3))  # open: nothing to verify yet
    assert _ids(_queue(w.supervisor)) == [recent.id]
    app.config["CALLBACK_DAYS"] = 10
    try:
        assert _ids(_queue(w.supervisor)) == []
    finally:
        app.config["CALLBACK_DAYS"] = 30


def test_a_reached_ticket_leaves_the_queue_an_unanswered_one_stays_with_its_attempts(w, everyone_sampled):
    reached, unanswered = completed(w, "closed"), completed(w, "closed", days_ago=2)
    record_callback(w.supervisor, reached, reached=True, solved=True, now=NOW - timedelta(hours=3))
    record_callback(w.supervisor, unanswered, reached=False, now=NOW - timedelta(hours=2))
    record_callback(w.supervisor, unanswered, reached=False, now=NOW - timedelta(hours=1))

    [item] = _queue(w.supervisor).items

    assert item.ticket.id == unanswered.id and item.attempts == 2
    assert item.last_attempt_at == NOW - timedelta(hours=1)


def test_a_ticket_found_unsolved_comes_back_first_once_completed_again(w):
    ticket = completed(w, "closed")
    record_callback(w.supervisor, ticket, reached=True, solved=False, note="仍未解决", now=NOW - timedelta(days=2))
    assert _ids(_queue(w.supervisor)) == []  # reopened: in progress again
    perform_action(w.liaison, ticket, "resolve", note="已重新办理", now=NOW - timedelta(days=1))

    [item] = _queue(w.supervisor).items  # whatever the sample says

    assert item.ticket.id == ticket.id and item.reason == Reason.RECHECK and item.attempts == 1


def test_the_queue_holds_the_callers_subtree_only(w, everyone_sampled):
    ticket = completed(w, "closed")
    assert _ids(_queue(w.supervisor)) == [ticket.id]
    assert _ids(_queue(w.city_supervisor)) == [ticket.id]
    assert _ids(_queue(w.admin)) == [ticket.id]
    assert _ids(_queue(w.other_supervisor)) == []  # 淮阳区


@pytest.mark.parametrize("who", ["liaison", "owner"])
def test_cadres_and_enterprises_have_no_queue(w, who):
    with pytest.raises(NotAllowed):
        _queue(getattr(w, who))


def test_pages_of_the_queue(w, everyone_sampled):
    tickets = [completed(w, "closed", days_ago=d) for d in (9, 8, 7, 6, 5)]
    first, last = _queue(w.supervisor, page=1, per_page=2), _queue(w.supervisor, page=3, per_page=2)
    assert _ids(first) == [tickets[0].id, tickets[1].id] and first.total == 5 and first.pages == 3
    assert _ids(last) == [tickets[4].id] and not last.has_next and last.has_prev
    assert _queue(w.supervisor, page=4, per_page=2).items == []


# -- the sample -----------------------------------------------------------------------------------


def test_the_sample_takes_about_its_share_and_is_the_same_on_every_load(app, w):
    assert app.config["CALLBACK_SAMPLE_PERCENT"] == 30
    tickets = [completed(w, "closed", days_ago=1 + n % 20) for n in range(30)]
    expected = {t.id for t in tickets if sample_bucket(t.id) < 30}
    first = set(_ids(_queue(w.supervisor, per_page=100)))
    assert first == expected
    assert set(_ids(_queue(w.supervisor, per_page=100))) == first
    # Over many ids the share is the configured one (the hash spreads consecutive ids evenly).
    share = sum(1 for i in range(1, 10_001) if sample_bucket(i) < 30) / 10_000
    assert share == pytest.approx(0.30, abs=0.01)


def test_sample_bucket_in_sql_equals_the_python_one(db):
    ids = [*range(1, 400), 2**20 + 7, 65_537, 10**9 + 3, 2**31 - 1]
    values = db.session.execute(select(*(sample_bucket_sql(literal(i)) for i in ids))).one()
    assert list(values) == [sample_bucket(i) for i in ids]
    assert all(0 <= v < 100 for v in values)


def test_sample_percent_zero_keeps_only_what_must_be_called(app, w):
    auto_closed = completed(w, "auto_closed")
    completed(w, "closed")
    app.config["CALLBACK_SAMPLE_PERCENT"] = 0
    try:
        assert _ids(_queue(w.supervisor)) == [auto_closed.id]
    finally:
        app.config["CALLBACK_SAMPLE_PERCENT"] = 30
