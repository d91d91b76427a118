"""Concurrency on a real database: two people acting on one ticket at once, two filings at once.

PostgreSQL only. Each thread has its own app context and so its own Session on the engine (not the
test's rolled-back connection): the data is committed first and deleted again afterwards.
"""

import os
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select, update

from helpdesk.auth.models import User
from helpdesk.enterprises.models import Enterprise
from helpdesk.errors import Conflict
from helpdesk.extensions import db
from helpdesk.notifications.models import Notification
from helpdesk.tickets.models import Comment, Ticket, TicketCohandler, TicketEvent, TicketSequence
from helpdesk.tickets.services import perform_action
from tests import factories as f

_URL = os.environ.get("TEST_DATABASE_URL", "")

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not _URL or _URL.startswith("sqlite"), reason="needs PostgreSQL (TEST_DATABASE_URL)"),
]

NOW = f.TUESDAY
# A year no other test files in, so that its numbering starts from nothing.
FRESH_YEAR_NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


@pytest.fixture()
def world(app):
    """A committed World; everything it and the threads created is deleted afterwards."""
    with app.app_context():
        sequences = {(s.prefix, s.year): s.last_value for s in db.session.scalars(select(TicketSequence))}
        w = f.World()
        db.session.commit()
        ids = {
            "users": [u.id for u in (*w.cadres, w.owner, w.stranger, w.supervisor, w.city_supervisor,
                                     w.other_supervisor, w.admin)],
            "enterprises": [w.company.id, w.other_company.id],
        }  # fmt: skip
        try:
            yield w
        finally:
            db.session.rollback()
            _clean_up(ids, sequences)
            db.session.remove()


def _clean_up(ids, sequences):
    session = db.session
    tickets = select(Ticket.id).where(Ticket.enterprise_id.in_(ids["enterprises"]))
    session.execute(
        delete(Notification).where(Notification.ticket_id.in_(tickets) | Notification.user_id.in_(ids["users"]))
    )
    # Events refuse ORM deletes (append-only): a Core statement on the table, before the tickets.
    session.execute(delete(TicketEvent.__table__).where(TicketEvent.__table__.c.ticket_id.in_(tickets)))
    session.execute(delete(TicketCohandler).where(TicketCohandler.ticket_id.in_(tickets)))
    session.execute(delete(Comment).where(Comment.ticket_id.in_(tickets)))
    session.execute(delete(Ticket).where(Ticket.enterprise_id.in_(ids["enterprises"])))
    for seq in session.scalars(select(TicketSequence)).all():
        key = (seq.prefix, seq.year)
        if key not in sequences:
            session.delete(seq)
        else:
            seq.last_value = sequences[key]
    session.execute(update(Enterprise).where(Enterprise.id.in_(ids["enterprises"])).values(liaison_id=None))
    session.execute(delete(User).where(User.id.in_(ids["users"]), User.role == "enterprise"))
    session.execute(delete(Enterprise).where(Enterprise.id.in_(ids["enterprises"])))
    session.execute(delete(User).where(User.id.in_(ids["users"])))
    session.commit()


def _run_together(app, work, n=2):
    """Run work(i) in n threads at once, each in its own app context; returns what each returned or raised."""
    barrier = threading.Barrier(n, timeout=30)
    results = [None] * n

    def run(i):
        with app.app_context():
            try:
                results[i] = work(i, barrier)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported to the test
                db.session.rollback()
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return results


def test_two_people_resolving_the_same_ticket_at_once_one_wins(app, world):
    with app.app_context():
        ticket = f.file(world.owner, now=NOW)
        perform_action(world.liaison, ticket, "accept", now=NOW)
        db.session.commit()
        ticket_id, liaison_id = ticket.id, world.liaison.id
        db.session.remove()

    def resolve(i, barrier):
        ticket = db.session.get(Ticket, ticket_id)
        cadre = db.session.get(User, liaison_id)
        version = ticket.version
        barrier.wait()
        perform_action(cadre, ticket, "resolve", note=f"办结说明 {i}", version=version, now=NOW)
        return "resolved"

    results = _run_together(app, resolve)

    assert sorted(map(type, results), key=str) == sorted([str, Conflict], key=str), results
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        assert ticket.status == "resolved"
        actions = [e.action for e in ticket.events]
        assert actions == ["file", "accept", "resolve"]
        assert db.session.get(User, liaison_id).open_tickets == 0
        db.session.remove()


@pytest.mark.parametrize("now", [NOW, FRESH_YEAR_NOW], ids=["year-in-use", "first-of-the-year"])
@pytest.mark.parametrize("n", [2, 4])
def test_concurrent_filings_get_consecutive_numbers(app, world, now, n):
    with app.app_context():
        year = now.year
        start = db.session.scalar(
            select(TicketSequence.last_value).where(TicketSequence.prefix == "ZK", TicketSequence.year == year)
        )
        if now == NOW and start is None:  # make the year's row exist before the race
            f.file(db.session.get(User, world.owner.id), now=now)
            db.session.commit()
            start = 1
        start = start or 0
        owner_id = world.owner.id
        db.session.remove()

    def file(i, barrier):
        owner = db.session.get(User, owner_id)
        barrier.wait()
        return f.file(owner, now=now).number

    results = _run_together(app, file, n)

    assert all(isinstance(r, str) for r in results), results
    assert sorted(results) == [f"ZK-{year}-{start + k:06d}" for k in range(1, n + 1)]
    with app.app_context():
        seq = db.session.scalar(
            select(TicketSequence.last_value).where(TicketSequence.prefix == "ZK", TicketSequence.year == year)
        )
        assert seq == start + n
        liaison = db.session.get(User, world.liaison.id)
        assert liaison.open_tickets == db.session.scalar(
            select(db.func.count()).select_from(Ticket).where(Ticket.assignee_id == liaison.id)
        )
        db.session.remove()
