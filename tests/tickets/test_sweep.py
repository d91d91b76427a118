"""The periodic sweep (PRODUCT.md §5, `flask sla sweep`): colour-change digests and auto-close.

The command itself lives in helpdesk/tickets/cli.py; these tests call the service it wraps.
"""

from collections import namedtuple
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from helpdesk.calendar.workdays import SHANGHAI
from helpdesk.errors import InvalidTransition
from helpdesk.notifications.models import Notification, OutboxMessage
from helpdesk.tickets.models import TicketEvent
from helpdesk.tickets.services import perform_action
from helpdesk.tickets.sweep import sweep
from tests import factories as f

D = date


def local(d: date, hh: int = 10, mm: int = 0, ss: int = 0) -> datetime:
    return datetime.combine(d, time(hh, mm, ss), tzinfo=SHANGHAI).astimezone(UTC)


# Land tickets filed Tue 2025-03-11 and accepted at once: yellow from Tue 4/1 00:00, orange after it,
# red from Tue 4/8 00:00 (4/2, 4/3, 清明 4/4–4/6 off, 4/7).
YELLOW, ORANGE, RED = local(D(2025, 4, 1)), local(D(2025, 4, 2)), local(D(2025, 4, 8))


@pytest.fixture()
def w(db):
    return f.World()


def _warnings(user=None):
    query = select(Notification).where(Notification.kind == "warning")
    if user is not None:
        query = query.where(Notification.user_id == user.id)
    return f.db.session.scalars(query.order_by(Notification.id)).all()


# An email the sweep wrote to the outbox (the worker sends it; tests/notifications deliver such digests).
Email = namedtuple("Email", "recipients subject body")


def _run(now):
    first = f.db.session.scalar(select(func.max(OutboxMessage.id))) or 0
    result = sweep(now)
    rows = f.db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.id > first, OutboxMessage.channel == "email")
        .order_by(OutboxMessage.id)
    )
    outbox = [Email([m.address], m.payload["subject"], m.payload["body"]) for m in rows]
    return result, outbox


def test_nothing_to_do_while_everything_is_green(w):
    w.ticket("in_progress")
    result, outbox = _run(local(D(2025, 3, 20)))
    assert (result.checked, result.worse, result.auto_closed, result.emails) == (0, 0, 0, 0)
    assert outbox == []
    assert result.summary() == "sweep: 0 warned tickets checked, 0 turned worse (none), 0 auto-closed, 0 digest emails"


def test_one_digest_email_per_person_for_several_tickets(w):
    one, two = w.ticket("in_progress"), w.ticket("in_progress")
    result, outbox = _run(YELLOW)

    assert (result.checked, result.worse, result.by_colour, result.emails) == (2, 2, {"yellow": 2}, 2)
    assert result.summary() == (
        "sweep: 2 warned tickets checked, 2 turned worse (yellow 2), 0 auto-closed, 2 digest emails"
    )
    # An in-app notification per ticket for the assignee and the county's supervisor ...
    for person in (w.liaison, w.supervisor):
        notes = _warnings(person)
        assert sorted(n.ticket_id for n in notes) == sorted([one.id, two.id])
        assert all(n.created_at == YELLOW for n in notes)
    # ... nobody else ...
    assert {n.user_id for n in _warnings()} == {w.liaison.id, w.supervisor.id}
    # ... and one email each, listing both tickets.
    assert sorted(m.recipients[0] for m in outbox) == sorted([w.liaison.email, w.supervisor.email])
    for message in outbox:
        assert one.number in message.body and two.number in message.body
    assert (one.notified_warning, two.notified_warning) == ("yellow", "yellow")


def test_a_second_sweep_at_the_same_time_notifies_nothing(w):
    w.ticket("in_progress"), w.ticket("in_progress")
    _run(YELLOW)
    count = len(_warnings())
    result, outbox = _run(YELLOW)
    assert (result.checked, result.worse, result.emails) == (2, 0, 0)
    assert outbox == []
    assert len(_warnings()) == count
    assert result.summary() == "sweep: 2 warned tickets checked, 0 turned worse (none), 0 auto-closed, 0 digest emails"


def test_each_worsening_notifies_once(w):
    ticket = w.ticket("in_progress")
    seen = []
    for now, colour in [(YELLOW, "yellow"), (ORANGE, "orange"), (RED, "red")]:
        for attempt in range(2):
            result, outbox = _run(now + timedelta(minutes=attempt * 5))
            if attempt == 0:
                assert (result.worse, result.by_colour, len(outbox)) == (1, {colour: 1}, 2)
                assert all(ticket.number in m.body for m in outbox)
            else:
                assert (result.worse, outbox) == (0, [])
        assert ticket.notified_warning == colour
        seen.append(len(_warnings(w.liaison)))
    assert seen == [1, 2, 3]
    # Red stays red: nothing more, ever.
    result, outbox = _run(RED + timedelta(days=20))
    assert (result.worse, outbox) == (0, [])


def test_skipping_a_colour_notifies_the_worst_one_once(w):
    ticket = w.ticket("in_progress")
    result, outbox = _run(RED)
    assert (result.worse, result.by_colour, len(outbox)) == (1, {"red": 1}, 2)
    assert ticket.notified_warning == "red"


def test_a_missed_first_response_is_a_yellow_warning(w):
    ticket = w.ticket("assigned")  # never accepted: response was due at the end of Wed 3/12
    result, _ = _run(local(D(2025, 3, 13)))
    assert result.by_colour == {"yellow": 1}
    assert [n.ticket_id for n in _warnings(w.liaison)] == [ticket.id]


def test_an_improvement_is_remembered_so_a_later_slip_notifies_again(w):
    ticket = w.ticket("in_progress")
    _run(ORANGE)
    perform_action(w.supervisor, ticket, "extend", days=10, note="延期", now=ORANGE)
    result, outbox = _run(ORANGE + timedelta(hours=1))
    assert (result.worse, outbox) == (0, [])
    assert ticket.notified_warning is None
    # Due now Wed 4/16 (4/3, 4/7–4/11, 4/14–4/16): yellow on that day again.
    result, outbox = _run(local(D(2025, 4, 16)))
    assert (result.worse, result.by_colour, len(outbox)) == (1, {"yellow": 1}, 2)


def test_tickets_whose_clock_is_stopped_are_not_warned(w):
    w.ticket("awaiting_enterprise"), w.ticket("resolved"), w.ticket("withdrawn")
    result, outbox = _run(ORANGE)
    assert (result.checked, result.worse, outbox) == (0, 0, [])


def test_a_ticket_waiting_in_a_queue_warns_its_supervisors(w):
    ticket = w.ticket("submitted")
    result, outbox = _run(ORANGE)
    assert result.worse == 1
    assert [m.recipients for m in outbox] == [[w.supervisor.email]]
    assert [n.ticket_id for n in _warnings(w.supervisor)] == [ticket.id]


def test_escalated_tickets_warn_the_supervisors_where_they_are_handled_too(w):
    ticket = w.ticket("in_progress")
    perform_action(w.supervisor, ticket, "escalate", now=f.TUESDAY)
    _run(ORANGE)
    assert {n.user_id for n in _warnings()} == {w.city_cadre.id, w.supervisor.id, w.city_supervisor.id}


def test_inactive_people_are_not_notified(w):
    w.ticket("in_progress")
    w.supervisor.active = False
    result, outbox = _run(ORANGE)
    assert [m.recipients for m in outbox] == [[w.liaison.email]]
    assert result.emails == 1


# -- auto-close ----------------------------------------------------------------------------------


def _resolved(w, at):
    ticket = w.ticket("in_progress", now=at)
    perform_action(w.liaison, ticket, "resolve", note="已办结", now=at)
    return ticket


def _events(ticket):
    return f.db.session.scalar(select(func.count()).select_from(TicketEvent).where(TicketEvent.ticket_id == ticket.id))


def test_resolved_tickets_close_after_five_working_days(w):
    ticket = _resolved(w, f.TUESDAY)  # resolved Tue 3/11: 3/12, 3/13, 3/14, 3/17, 3/18
    result, _ = _run(local(D(2025, 3, 17), 23, 59))  # four working days without an answer
    assert result.auto_closed == 0
    assert ticket.status == "resolved"

    later = local(D(2025, 3, 19), 0, 5)  # five full working days have passed
    events = _events(ticket)
    result, outbox = _run(later)
    assert result.auto_closed == 1
    assert result.summary() == "sweep: 0 warned tickets checked, 0 turned worse (none), 1 auto-closed, 0 digest emails"
    assert outbox == []
    assert (ticket.status, ticket.closed_at, ticket.rating) == ("closed", later, None)
    assert _events(ticket) == events + 1
    event = ticket.events[-1]
    assert (event.action, event.actor_id, event.from_status, event.to_status) == (
        "auto_close",
        None,
        "resolved",
        "closed",
    )
    assert event.data is None and event.note is None

    # Idempotent: a second run finds nothing.
    result, _ = _run(later)
    assert result.auto_closed == 0
    assert _events(ticket) == events + 1
    # And the enterprise can no longer confirm or reopen it.
    with pytest.raises(InvalidTransition):
        perform_action(w.owner, ticket, "confirm", rating="satisfied", now=later)


def test_auto_close_counts_working_days_over_the_2025_national_day(w):
    # Resolved Fri 9/26: Sun 9/28, 9/29, 9/30, (10/1–10/8), Thu 10/9 is the fourth, Fri 10/10 the fifth.
    ticket = _resolved(w, local(D(2025, 9, 26)))
    assert _run(local(D(2025, 10, 8), 23))[0].auto_closed == 0
    assert _run(local(D(2025, 10, 9), 23))[0].auto_closed == 0
    assert ticket.status == "resolved"
    assert _run(local(D(2025, 10, 11), 9))[0].auto_closed == 1  # the make-up Saturday
    assert ticket.status == "closed"


def test_auto_close_days_is_configurable(w, app, monkeypatch):
    monkeypatch.setitem(app.config, "AUTO_CLOSE_DAYS", 2)
    ticket = _resolved(w, f.TUESDAY)
    assert _run(local(D(2025, 3, 12), 23))[0].auto_closed == 0
    assert _run(local(D(2025, 3, 14), 9))[0].auto_closed == 1
    assert ticket.status == "closed"


def test_confirmed_and_reopened_tickets_are_not_auto_closed(w):
    confirmed = _resolved(w, f.TUESDAY)
    perform_action(w.owner, confirmed, "confirm", rating="satisfied", now=f.TUESDAY)
    reopened = _resolved(w, f.TUESDAY)
    perform_action(w.owner, reopened, "reopen", note="没解决", now=f.TUESDAY)
    result, _ = _run(local(D(2025, 3, 25)))
    assert result.auto_closed == 0
    assert (confirmed.rating, reopened.status) == ("satisfied", "in_progress")


def test_one_sweep_both_warns_and_closes(w):
    _resolved(w, f.TUESDAY)
    w.ticket("in_progress")
    result, outbox = _run(ORANGE)
    assert (result.worse, result.auto_closed, result.emails, len(outbox)) == (1, 1, 2, 2)
    assert result.summary() == (
        "sweep: 1 warned tickets checked, 1 turned worse (orange 1), 1 auto-closed, 2 digest emails"
    )


def test_flask_sla_sweep_prints_one_summary_line(app, db):
    result = app.test_cli_runner().invoke(args=["sla", "sweep"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sweep: ") and "auto-closed" in lines[0]
