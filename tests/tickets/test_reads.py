"""A ticket read from a row (tickets/reads.py) shows exactly what the ORM ticket shows, in both languages.

The API's GET of a ticket and its list dump `TicketRow`s; filing and actions dump `Ticket` objects. Both go
through `TicketSchema`, so a field the row does not carry, a relation joined wrongly (an inner join dropping a
ticket without a cadre) or a rule written differently would make the two JSONs differ here.
"""

from __future__ import annotations

import contextvars

import pytest
from flask import g
from sqlalchemy import null, select

from helpdesk.extensions import db
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.queries import read_visible_ticket, visible_tickets, with_ticket_details
from helpdesk.tickets.reads import TicketReader
from helpdesk.tickets.schemas import TicketSchema
from helpdesk.tickets.services import perform_action
from tests import factories
from tests.factories import TUESDAY

STATUSES = [
    "assigned",
    "submitted",
    "withdrawn",
    "declined",
    "in_progress",
    "awaiting_enterprise",
    "resolved",
    "closed",
]


@pytest.fixture()
def varied(db):
    """Tickets in every status, escalated, reassigned, without a paired cadre, in a common issue, and one routed
    before decisions were stored (routing null, the English sentence kept)."""
    from helpdesk.common_issues.services import create_common_issue

    w = factories.World()
    tickets = [w.ticket(status) for status in STATUSES]
    escalated = w.ticket("in_progress")
    perform_action(w.liaison, escalated, "escalate", note="县级无法协调", now=TUESDAY)
    reassigned = w.ticket("assigned")
    perform_action(w.supervisor, reassigned, "assign", assignee_id=w.colleague.id, now=TUESDAY)
    strangers = [factories.file(w.stranger, category=c) for c in ("utilities", "finance", "tax")]  # no liaison
    old = w.ticket("in_progress")
    old.routing, old.routing_reason = None, "category land at 川汇区 → 川汇区自然资源局 by rule #1"
    pair = [w.ticket("in_progress"), w.ticket("assigned")]
    create_common_issue(
        w.supervisor, title="园区用地指标普遍滞后", ticket_ids=[t.id for t in pair], lead_department_id=w.nr.id
    )
    db.session.commit()
    w.tickets = [*tickets, escalated, reassigned, *strangers, old, *pair]
    return w


def _in_request(app, user, read):
    """`read(user)` in a request of its own, as in production and as tests/conftest.py's IsolatedClient does: a new
    application context, so a new `g` and db.session (the session-wide ones of the test app would keep one
    request's memo of names and identity map for the next)."""

    def run():
        with app.test_request_context():
            g.api_user = db.session.get(type(user), user.id)
            return read(g.api_user)

    return contextvars.Context().run(run)


def _same(actual: list[dict], expected: list[dict]) -> None:
    """The two dumps are equal, or the first ticket and field that differ are named."""
    assert [a["id"] for a in actual] == [e["id"] for e in expected]
    for a, e in zip(actual, expected, strict=True):
        differ = {key: (a.get(key), e.get(key)) for key in a.keys() | e.keys() if a.get(key) != e.get(key)}
        assert not differ, f"ticket {e['id']} (row, ORM): {differ}"


def _orm_dump(app, user, ticket_ids: list[int]) -> list[dict]:
    query = with_ticket_details(select(Ticket).where(Ticket.id.in_(ticket_ids)).order_by(Ticket.id))
    return _in_request(app, user, lambda _: TicketSchema(many=True).dump(db.session.scalars(query)))


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_ticket_read_from_its_row_dumps_as_the_orm_ticket(app, varied, locale):
    supervisor = varied.city_supervisor  # sees the escalated ticket too
    supervisor.locale = locale
    db.session.commit()
    ids = sorted(t.id for t in varied.tickets)
    expected = _orm_dump(app, supervisor, ids)
    assert len(expected) == len(ids) == 16
    assert {e["status"] for e in expected} >= set(STATUSES)
    assert any(e["common_issue"] for e in expected) and any(e["liaison"] is None for e in expected)
    assert any(e["routing"] is None for e in expected) and any(e["handling_level"] == "city" for e in expected)

    page = visible_tickets(supervisor).where(Ticket.id.in_(ids)).order_by(Ticket.id)
    _same(
        _in_request(
            app,
            supervisor,
            lambda _: TicketSchema(many=True).dump(
                [t for t, _ in TicketReader().run(TicketReader().statement(page, null()), {})]
            ),
        ),
        expected,
    )
    for one in expected:
        row = _in_request(
            app,
            supervisor,
            lambda caller, ticket_id=one["id"]: TicketSchema().dump(read_visible_ticket(caller, ticket_id)),
        )
        _same([row], [one])


def test_the_api_list_and_get_answer_what_the_orm_tickets_dump(app, client, varied):
    from helpdesk.auth.services import issue_token

    raw, _ = issue_token(varied.supervisor)
    db.session.commit()
    headers = {"Authorization": f"Bearer {raw}"}
    body = client.get("/api/v1/tickets?per_page=100&sort=created_at", headers=headers).get_json()
    ids = [item["id"] for item in body["items"]]
    assert (
        body["total"] == len(ids) == 16
    )  # the escalated one too: a supervisor sees its county's tickets wherever handled
    expected = {e["id"]: e for e in _orm_dump(app, varied.supervisor, ids)}
    _same(body["items"], [expected[i] for i in ids])
    for ticket_id in ids:
        _same([client.get(f"/api/v1/tickets/{ticket_id}", headers=headers).get_json()], [expected[ticket_id]])


def test_a_ticket_the_caller_may_not_see_is_not_found_from_its_row(app, varied):
    from helpdesk.errors import NotFound

    first = varied.tickets[0].id
    for outsider in (varied.other_supervisor, varied.stranger):
        with pytest.raises(NotFound):
            _in_request(app, outsider, lambda caller: read_visible_ticket(caller, first))
    assert _in_request(app, varied.owner, lambda caller: read_visible_ticket(caller, first).id) == first
