"""Property-based invariants of the workflow: random people trying random actions, and the sweep.

After every step: the event log replays to the current status, completed tickets have resolved_at,
each cadre's open-ticket counter equals its open tickets, and the reports' rollup and the tickets per
jurisdiction (kept by triggers) equal the tickets counted afresh. Refused steps write nothing.
"""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from helpdesk.auth.models import User
from helpdesk.errors import DomainError
from helpdesk.notifications.models import Notification, OutboxMessage
from helpdesk.reports.rollup import OutcomeCount, count_sql
from helpdesk.tickets import counts
from helpdesk.tickets.counts import TicketCount
from helpdesk.tickets.models import COMPLETED_STATUSES, OPEN_STATUSES, Comment, Ticket, TicketCohandler, TicketEvent
from helpdesk.tickets.services import perform_action
from helpdesk.tickets.sweep import sweep
from helpdesk.tickets.workflow import TRANSITIONS, Party
from tests import factories as f

PEOPLE = [
    "owner", "stranger", "liaison", "colleague", "hrss_cadre", "finance_cadre", "city_cadre", "province_cadre",
    "supervisor", "city_supervisor", "other_supervisor", "admin",
]  # fmt: skip
# The people who usually hold each party on the tickets below (the assignee changes as they move).
LIKELY = {
    Party.ENTERPRISE: ["owner"],
    Party.SUPERVISOR: ["supervisor", "city_supervisor"],
    Party.ADMIN: ["admin"],
    Party.ASSIGNEE: ["@assignee", "@assignee", "@assignee", "liaison", "colleague"],
    Party.SYSTEM: [None],
    Party.LEAD: ["hrss_cadre"],  # no ticket here is in a common issue: always refused (tests/common_issues)
}
DEPARTMENTS = [("411602", "nr"), ("411602", "hrss"), ("411602", "finance"), ("411602", "st"), ("411600", "nr"), None]
ASSIGNEES = ["liaison", "colleague", "hrss_cadre", "city_cadre", "owner", None]


@pytest.fixture()
def w(db):
    return f.World()


def _snapshot(ticket_id):
    session = f.db.session
    row = session.execute(select(Ticket.version, Ticket.status).where(Ticket.id == ticket_id)).one()
    events = session.scalar(select(func.count()).select_from(TicketEvent).where(TicketEvent.ticket_id == ticket_id))
    return tuple(row), events


def _check_invariants(w, ticket_ids):
    session = f.db.session
    tickets = session.execute(
        select(Ticket.id, Ticket.status, Ticket.resolved_at, Ticket.assignee_id).where(Ticket.id.in_(ticket_ids))
    ).all()
    events = session.execute(
        select(TicketEvent.ticket_id, TicketEvent.action, TicketEvent.from_status, TicketEvent.to_status)
        .where(TicketEvent.ticket_id.in_(ticket_ids))
        .order_by(TicketEvent.id)
    ).all()
    for ticket in tickets:
        log = [e for e in events if e.ticket_id == ticket.id]
        assert log[0].action == "file" and log[0].from_status is None
        for previous, event in zip(log, log[1:]):
            assert event.from_status == previous.to_status, log
            expected = TRANSITIONS[event.action].to_status
            if expected is None:
                assert event.to_status == event.from_status, event
            elif event.action not in ("transfer", "escalate"):  # these may leave it submitted
                assert event.to_status == expected, event
        assert log[-1].to_status == ticket.status
        if ticket.status in COMPLETED_STATUSES:
            assert ticket.resolved_at is not None
    cadre_ids = [c.id for c in w.cadres]
    counters = dict(session.execute(select(User.id, User.open_tickets).where(User.id.in_(cadre_ids))).all())
    for cadre_id, counter in counters.items():
        actual = sum(1 for t in tickets if t.assignee_id == cadre_id and t.status in OPEN_STATUSES)
        assert counter == actual, cadre_id
    kept = {
        tuple(row[:-1]): row[-1] for row in session.execute(select(OutcomeCount.__table__).where(OutcomeCount.n != 0))
    }
    afresh = {tuple(row[:-1]): row[-1] for row in session.execute(text(count_sql(session.get_bind().dialect.name)))}
    assert kept == afresh
    by_jurisdiction = dict(
        session.execute(select(TicketCount.jurisdiction_id, TicketCount.n).where(TicketCount.n != 0)).all()
    )
    assert by_jurisdiction == dict(session.execute(text(counts.count_sql())).all())


TERMINAL = {"withdraw", "decline"}
FINAL = {"withdrawn", "declined", "closed"}
FORWARD = {"accept", "request_info", "provide_info", "resolve", "confirm", "reopen"}


def _step(draw, ticket):
    """One step, drawn with the ticket's current status in mind so that runs get somewhere."""
    # Hypothesis favours small integers and the first element of a list: the common case comes first.
    if draw(st.integers(0, 9)) == 9:
        return {"kind": "sweep", "hours": draw(st.integers(0, 96))}
    allowed = [a for a, t in TRANSITIONS.items() if ticket.status in t.from_statuses and a != "auto_close"]
    if allowed and draw(st.integers(0, 3)) != 3:  # mostly an action the status allows, moving it forward ...
        kind = draw(st.sampled_from([a for a in allowed if a in FORWARD] * 3 + allowed))
        if kind in TERMINAL and draw(st.integers(0, 3)) != 3:  # ... and not too often the end of the story
            kind = draw(st.sampled_from([a for a in allowed if a not in TERMINAL] or allowed))
    else:  # ... sometimes any action at all
        kind = draw(st.sampled_from(list(TRANSITIONS)))
    transition = TRANSITIONS[kind]
    if draw(st.integers(0, 4)) != 4:  # mostly someone who may, sometimes anyone at all
        party = draw(st.sampled_from(sorted(transition.who)))
        actor = draw(st.sampled_from(LIKELY[party]))
    else:
        actor = draw(st.sampled_from([*PEOPLE, None]))
    return {
        "kind": kind,
        "actor": actor,
        "hours": draw(st.integers(0, 30)),
        "note": draw(st.sampled_from(["说明情况"] * 6 + [None, "  "])),
        "department": draw(st.sampled_from(DEPARTMENTS)),
        "assignee": draw(st.sampled_from(ASSIGNEES)),
        "rating": draw(st.sampled_from(["satisfied", "basically_satisfied", "dissatisfied", "excellent", None])),
        "days": draw(st.sampled_from([5, 1, 30, 0, 31, None])),
        "stale": draw(st.integers(0, 19)) == 19,
    }


def _actor(w, name, ticket):
    if name == "@assignee":
        return ticket.assignee  # whoever holds it now (None when it waits in a queue)
    return getattr(w, name) if name else None


# What an example writes (the reference data and the world's people it reads stay in the session).
EXAMPLE_ROWS = (Ticket, TicketEvent, TicketCohandler, Comment, Notification, OutboxMessage)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_workflow_invariants_hold_after_every_step(w, data):
    session = f.db.session
    known = set(session.identity_map.keys())  # the world's rows, which outlive the example
    example = session.begin_nested()
    try:
        now = f.TUESDAY
        tickets = [f.file(w.owner, category="land", now=now), f.file(w.owner, category="labor", now=now)]
        ids = [t.id for t in tickets]
        _check_invariants(w, ids)
        for _ in range(data.draw(st.integers(5, 25), label="steps")):
            live = list(
                session.scalars(
                    select(Ticket.id).where(Ticket.id.in_(ids), Ticket.status.not_in(FINAL)).order_by(Ticket.id)
                )
            )
            if not live or data.draw(st.integers(0, 9), label="new ticket") == 9 and len(ids) < 6:
                category = data.draw(st.sampled_from(["land", "labor", "tax"]), label="category")
                ids.append(f.file(w.owner, category=category, now=now).id)
                _check_invariants(w, ids)
                continue
            ticket = session.get(Ticket, data.draw(st.sampled_from(live), label="ticket"))
            step = data.draw(st.composite(lambda draw, t=ticket: _step(draw, t))(), label="step")
            now += timedelta(hours=step["hours"])
            if step["kind"] == "sweep":
                sweep(now)
                _check_invariants(w, ids)
                continue
            actor = _actor(w, step["actor"], ticket)
            before = _snapshot(ticket.id)
            savepoint = session.begin_nested()
            try:
                perform_action(
                    actor,
                    ticket,
                    step["kind"],
                    now=now,
                    note=step["note"],
                    version=ticket.version - 1 if step["stale"] else ticket.version,
                    department_id=f.department(*step["department"]).id if step["department"] else None,
                    assignee_id=getattr(w, step["assignee"]).id if step["assignee"] else None,
                    rating=step["rating"],
                    days=step["days"],
                )
            except DomainError:
                assert _snapshot(ticket.id) == before, "a refused action wrote something"
                savepoint.rollback()
            else:
                savepoint.commit()
                assert _snapshot(ticket.id)[1] == before[1] + 1
            _check_invariants(w, ids)
    finally:
        example.rollback()
        # The example's rows are gone and SQLite hands their ids out again. The rollback expunges the objects the
        # example inserted, but not one loaded again after its first instance was garbage-collected (the identity
        # map holds weak references): that one would then clash with the next example's row of the same id.
        for key in set(session.identity_map.keys()) - known:
            stale = session.identity_map.get(key)
            if isinstance(stale, EXAMPLE_ROWS):
                session.expunge(stale)
