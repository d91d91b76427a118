"""Filing writes its rows without the ORM's unit of work (helpdesk/db.py insert_loaded, attach; issue 13): the
ticket, its event, the notice and its outbox row are each one INSERT … RETURNING, and the cadre's counter an UPDATE
of the table. What a user sees must not change: the ticket in hand is the ticket as stored."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select, update

from helpdesk.auth.models import User
from helpdesk.db import attach
from helpdesk.errors import Conflict
from helpdesk.extensions import db
from helpdesk.notifications.models import Notification, OutboxMessage
from helpdesk.tickets.models import Ticket, TicketEvent
from helpdesk.tickets.services import perform_action
from tests import factories


@pytest.fixture()
def world(db):
    return factories.World()


def _stored(model, object_id: int) -> dict:
    """Every column of the row as the database holds it, read with Core (not the object in the session)."""
    table = model.__table__
    row = db.session.execute(select(table).where(table.c.id == object_id)).one()
    return dict(row._mapping)


def _in_hand(obj) -> dict:
    return {column.key: getattr(obj, column.key) for column in type(obj).__table__.c}


def test_the_filed_ticket_in_hand_is_the_stored_row_and_clean(world):
    ticket = factories.file(world.owner)
    state = inspect(ticket)
    assert state.persistent and not state.modified and ticket not in db.session.dirty
    assert _in_hand(ticket) == _stored(Ticket, ticket.id)
    assert ticket.version == 1 and ticket.status == "assigned" and ticket.assignee_id == world.liaison.id
    # the relations read without a statement, and agree with the columns
    assert (ticket.category.code, ticket.enterprise, ticket.assignee) == ("land", world.company, world.liaison)
    assert ticket.department_id == world.nr.id and ticket.handling_jurisdiction_id == world.nr.jurisdiction_id
    [event] = ticket.events
    assert (event.action, event.to_status, event.data["assignee_id"]) == ("file", "assigned", world.liaison.id)
    assert _in_hand(event) == _stored(TicketEvent, event.id)


def test_the_notice_and_its_outbox_row_are_the_stored_rows(world):
    ticket = factories.file(world.owner)
    note = db.session.scalars(select(Notification).where(Notification.ticket_id == ticket.id)).one()
    assert note.user_id == world.liaison.id and ticket.number in note.message
    assert _in_hand(note) == _stored(Notification, note.id)
    [outbox] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_id == world.liaison.id)).all()
    assert outbox.status == "pending" and outbox.attempts == 0 and outbox.payload["number"] == ticket.number
    assert _in_hand(outbox) == _stored(OutboxMessage, outbox.id)


def test_the_loaded_cadre_reads_its_new_count(world):
    before = world.liaison.open_tickets  # loaded in this session
    ticket = factories.file(world.owner)
    assert world.liaison.open_tickets == before + 1
    assert world.liaison.last_assigned_at == ticket.created_at
    assert db.session.scalar(select(User.open_tickets).where(User.id == world.liaison.id)) == before + 1
    perform_action(world.owner, ticket, "withdraw", note="已自行解决")
    assert world.liaison.open_tickets == before


def test_a_filed_ticket_changed_elsewhere_is_a_conflict(world):
    """The version counter works on a ticket written this way: a change made meanwhile is detected."""
    ticket = factories.file(world.owner)
    db.session.execute(update(Ticket.__table__).where(Ticket.id == ticket.id).values(version=2))
    with pytest.raises(Conflict):
        perform_action(world.liaison, ticket, "accept")
    db.session.rollback()


def test_a_filed_ticket_is_updated_with_its_version(world):
    ticket = factories.file(world.owner)
    perform_action(world.liaison, ticket, "accept")
    assert _stored(Ticket, ticket.id)["version"] == 2 == ticket.version
    assert [e.action for e in ticket.events] == ["file", "accept"]


def test_attach_sets_the_key_and_refuses_a_relation_with_another_side(world):
    ticket = factories.file(world.owner)
    with pytest.raises(TypeError):
        attach(ticket, common_issue=None)  # CommonIssue.tickets would not hear of it
    attach(ticket, assignee=world.colleague)
    assert ticket.assignee_id == world.colleague.id and ticket.assignee is world.colleague
    assert inspect(ticket).attrs.assignee_id.history.has_changes()  # the key is what the flush writes
    db.session.flush()
    assert _stored(Ticket, ticket.id)["assignee_id"] == world.colleague.id
    db.session.rollback()
