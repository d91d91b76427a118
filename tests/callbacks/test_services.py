"""Recording callbacks (回访): the event in the same transaction, the state kept on the ticket, "not solved"
reopening the ticket through the workflow, the rating counting in the satisfaction rate, every refusal."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from helpdesk.callbacks.models import Callback
from helpdesk.callbacks.services import record_callback
from helpdesk.errors import Conflict, NotAllowed, ValidationFailed
from helpdesk.notifications.models import Notification
from helpdesk.reports.services import resolution_report
from helpdesk.tickets.models import TicketEvent
from helpdesk.tickets.queries import of_ticket
from helpdesk.tickets.services import allowed_actions, perform_action
from helpdesk.tickets.workflow import TRANSITIONS, USER_ACTIONS
from tests import factories as f
from tests.callbacks.conftest import NOW, auto_closed_by_the_sweep, completed


def _events(ticket) -> list[TicketEvent]:
    return list(
        f.db.session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id))
    )


def test_a_reached_solved_callback_is_recorded_with_its_internal_event(w):
    ticket = completed(w, "closed")
    version = ticket.version

    callback = record_callback(w.supervisor, ticket, reached=True, solved=True, note="企业确认已落实", now=NOW)

    assert (callback.reached, callback.solved, callback.rating, callback.caller_id) == (
        True,
        True,
        None,
        w.supervisor.id,
    )
    assert callback.created_at == NOW
    assert ticket.callback_state == "solved" and ticket.status == "closed" and ticket.version > version
    event = _events(ticket)[-1]
    assert (event.action, event.internal, event.from_status, event.to_status) == ("callback", True, "closed", "closed")
    assert event.note == "企业确认已落实" and event.actor_id == w.supervisor.id
    assert event.data["callback_id"] == callback.id and event.data["solved"] is True


def test_the_enterprise_never_sees_the_callback_event(w):
    ticket = completed(w, "closed")
    record_callback(w.supervisor, ticket, reached=True, solved=True, now=NOW)
    seen = {e.action for e in f.db.session.scalars(of_ticket(w.owner, TicketEvent, ticket.id))}
    assert "callback" not in seen and "confirm" in seen
    assert "callback" in {e.action for e in f.db.session.scalars(of_ticket(w.liaison, TicketEvent, ticket.id))}


def test_an_unanswered_call_then_a_reached_one(w):
    ticket = completed(w, "resolved")
    record_callback(w.supervisor, ticket, reached=False, note="无人接听", now=NOW)
    assert ticket.callback_state == "unreached"
    record_callback(w.city_supervisor, ticket, reached=True, solved=True, now=NOW + timedelta(hours=1))
    assert ticket.callback_state == "solved"
    # A later unanswered call does not hide what an earlier one heard.
    record_callback(w.admin, ticket, reached=False, now=NOW + timedelta(hours=2))
    assert ticket.callback_state == "solved"
    callbacks = f.db.session.scalars(select(Callback).where(Callback.ticket_id == ticket.id).order_by(Callback.id))
    assert [(c.reached, c.solved) for c in callbacks] == [(False, None), (True, True), (False, None)]


@pytest.mark.parametrize("status", ["resolved", "closed"])
def test_not_solved_reopens_the_ticket_with_the_callback_as_its_reason(w, status):
    ticket = completed(w, status)
    open_before = f.db.session.get(type(w.liaison), w.liaison.id).open_tickets

    record_callback(
        w.supervisor, ticket, reached=True, solved=False, rating="dissatisfied", note="水电仍未接通", now=NOW
    )

    assert ticket.status == "in_progress" and ticket.callback_state == "unsolved"
    assert ticket.reopen_count == 1 and ticket.resolved_at is None and ticket.closed_at is None
    callback_event, reopen = _events(ticket)[-2:]
    assert callback_event.action == "callback" and callback_event.to_status == status
    assert (reopen.action, reopen.from_status, reopen.to_status) == ("reopen_on_callback", status, "in_progress")
    assert reopen.note == "水电仍未接通" and reopen.actor_id == w.supervisor.id and reopen.internal is False
    f.db.session.refresh(w.liaison)
    assert w.liaison.open_tickets == open_before + 1  # the assignee's open count follows the reopen
    notice = f.db.session.scalars(
        select(Notification).where(Notification.user_id == w.liaison.id).order_by(Notification.id.desc())
    ).first()
    assert notice.kind == "reopened_on_callback" and "水电仍未接通" in notice.message


def test_the_reopen_is_not_offered_as_an_action_of_its_own(w):
    assert "reopen_on_callback" in TRANSITIONS and "reopen_on_callback" not in USER_ACTIONS
    ticket = completed(w, "closed")
    assert "reopen_on_callback" not in allowed_actions(w.supervisor, ticket)


def test_an_admin_may_call_back_any_ticket(w):
    ticket = completed(w, "resolved")
    record_callback(w.admin, ticket, reached=True, solved=False, note="仍未解决", now=NOW)
    assert ticket.status == "in_progress"


# -- the rating -----------------------------------------------------------------------------------


def _county(viewer):
    return resolution_report(
        viewer, jurisdiction_id=f.jurisdiction("411602").id, date_from=date(2025, 1, 1), as_of=NOW
    ).overall


def test_a_rating_given_in_a_callback_counts_for_an_auto_closed_ticket(w):
    auto_closed = auto_closed_by_the_sweep(w)
    rated = completed(w, "closed", rating="satisfied")
    assert _county(w.admin).satisfaction_rate == 1.0  # only the confirmed ticket is rated

    record_callback(w.supervisor, auto_closed, reached=True, solved=True, rating="dissatisfied", now=NOW)

    assert auto_closed.rating == "dissatisfied"
    assert _county(w.admin).satisfaction_rate == pytest.approx(0.5)
    assert _events(auto_closed)[-1].data["rating_applied"] is True
    assert rated.rating == "satisfied"


def test_a_rating_in_a_callback_never_replaces_the_enterprises_own(w):
    ticket = completed(w, "closed", rating="satisfied")
    callback = record_callback(w.supervisor, ticket, reached=True, solved=True, rating="basically_satisfied", now=NOW)
    assert ticket.rating == "satisfied" and callback.rating == "basically_satisfied"
    assert _events(ticket)[-1].data["rating_applied"] is False


# -- the figures ----------------------------------------------------------------------------------


def test_callback_rate_and_verified_solved_rate(w):
    solved = completed(w, "closed")
    unsolved = completed(w, "closed")
    unreached = completed(w, "resolved")
    completed(w, "resolved")  # not called back
    w.ticket("in_progress", now=NOW - 5 * timedelta(days=1))  # not completed: in neither figure
    empty = _county(w.admin)
    assert (empty.callback_rate, empty.verified_solved_rate) == (0.0, None)

    record_callback(w.supervisor, solved, reached=True, solved=True, now=NOW)
    record_callback(w.supervisor, unsolved, reached=True, solved=False, note="仍未解决", now=NOW)
    record_callback(w.supervisor, unreached, reached=False, now=NOW)
    figures = _county(w.admin)

    # The unsolved one was reopened: 3 completed remain, of which 2 were called back.
    assert figures.completed == 3
    assert figures.callback_rate == pytest.approx(2 / 3)
    # Reached: the solved one and the reopened one.
    assert figures.verified_solved_rate == pytest.approx(1 / 2)
    # The score is not changed by callbacks (§6 weights response, completion and satisfaction only).
    from flask import current_app

    from helpdesk.reports.figures import score

    rates = {name: getattr(figures, name) for name in ("response_rate", "completion_rate", "satisfaction_rate")}
    assert figures.score == pytest.approx(score(rates, current_app.config["SCORE_WEIGHTS"]))


def test_grouped_rows_add_up_to_the_overall_callback_counts(w):
    one, two = completed(w, "closed"), completed(w, "closed")
    record_callback(w.supervisor, one, reached=True, solved=True, now=NOW)
    record_callback(w.supervisor, two, reached=True, solved=False, note="仍未解决", now=NOW)
    report = resolution_report(w.admin, group_by="month", date_from=date(2025, 1, 1), as_of=NOW)
    [row] = report.rows
    assert (row.figures.callback_rate, row.figures.verified_solved_rate) == (1.0, 0.5)
    assert report.overall.verified_solved_rate == 0.5


# -- refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["liaison", "owner"])
def test_only_supervisors_and_admins_call_back(w, who):
    ticket = completed(w, "closed")
    with pytest.raises(NotAllowed):
        record_callback(getattr(w, who), ticket, reached=True, solved=True, now=NOW)


def test_a_supervisor_of_another_county_may_not_call_back(w):
    ticket = completed(w, "closed")
    with pytest.raises(NotAllowed):
        record_callback(w.other_supervisor, ticket, reached=True, solved=True, now=NOW)


@pytest.mark.parametrize("status", ["assigned", "in_progress", "awaiting_enterprise", "withdrawn", "declined"])
def test_a_ticket_that_is_not_completed_is_a_conflict(w, status):
    ticket = w.ticket(status, now=NOW - timedelta(days=2))
    with pytest.raises(Conflict) as refused:
        record_callback(w.supervisor, ticket, reached=True, solved=True, now=NOW)
    assert refused.value.status == 409 and status in refused.value.message
    assert f.db.session.scalar(select(Callback).where(Callback.ticket_id == ticket.id)) is None


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"reached": False, "solved": True}, "solved"),
        ({"reached": False, "solved": False}, "solved"),
        ({"reached": False, "rating": "satisfied"}, "rating"),
        ({"reached": True}, "solved"),
        ({"reached": True, "solved": False}, "note"),
        ({"reached": True, "solved": False, "note": "   "}, "note"),
        ({"reached": True, "solved": True, "rating": "excellent"}, "rating"),
        ({"reached": True, "solved": True, "note": "长" * 5001}, "note"),
        ({"reached": None}, "reached"),
        ({"reached": "yes"}, "reached"),
    ],
)
def test_answers_that_disagree_are_refused_naming_the_field(w, answers, field):
    ticket = completed(w, "closed")
    events = len(_events(ticket))
    with pytest.raises(ValidationFailed) as refused:
        record_callback(w.supervisor, ticket, now=NOW, **answers)
    assert refused.value.field == field and refused.value.status == 422
    assert len(_events(ticket)) == events and ticket.callback_state is None


def test_every_refusal_reads_in_chinese(app, w):
    from flask_babel import force_locale

    ticket = completed(w, "closed")
    messages = []
    for answers in ({"reached": False, "solved": True}, {"reached": True}, {"reached": True, "solved": False}):
        with pytest.raises(ValidationFailed) as refused:
            record_callback(w.supervisor, ticket, now=NOW, **answers)
        with app.test_request_context(), force_locale("zh_CN"):
            messages.append(refused.value.localized())
    assert all(m and not m.isascii() for m in messages), messages


def test_the_workflow_reopen_alone_needs_its_note(w):
    """The row the callback service takes: supervisor or admin, from resolved or closed, a note required."""
    ticket = completed(w, "closed")
    with pytest.raises(ValidationFailed) as refused:
        perform_action(w.supervisor, ticket, "reopen_on_callback", note=" ", now=NOW)
    assert refused.value.field == "note"
