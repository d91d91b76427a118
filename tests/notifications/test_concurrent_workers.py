"""Several workers against one PostgreSQL: a row is delivered once (counted at the SMTP server), and the
sweep runs once when two workers race for it. Committed data, deleted again afterwards."""

from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy import delete, func, select

from helpdesk.db import utcnow
from helpdesk.extensions import db
from helpdesk.notifications.channels import senders
from helpdesk.notifications.models import Channel, Notification, OutboxMessage
from helpdesk.notifications.services import enqueue
from helpdesk.worker.delivery import deliver_batch
from helpdesk.worker.jobs import run_due_jobs
from helpdesk.worker.models import JobLock
from tests.notifications.sinks import SmtpSink
from tests.tickets.test_concurrency import world  # noqa: F401 - the committed World fixture
from tests.tickets.test_sweep import YELLOW

_URL = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not _URL or _URL.startswith("sqlite"), reason="needs PostgreSQL (TEST_DATABASE_URL)"),
]

ROWS, WORKERS = 200, 3


def _in_threads(app, work, n):
    barrier = threading.Barrier(n, timeout=30)
    results: list = [None] * n

    def run(i):
        with app.app_context():
            try:
                results[i] = work(i, barrier)
            except Exception as exc:  # noqa: BLE001 - reported to the test
                db.session.rollback()
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    return results


def test_several_workers_never_deliver_a_row_twice(app, monkeypatch):
    sink = SmtpSink().start()
    for key, value in {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": sink.port, "MAIL_SUPPRESS_SEND": False}.items():
        monkeypatch.setitem(app.config, key, value)
    with app.app_context():
        now = utcnow()
        rows = [
            enqueue(Channel.EMAIL, f"person{n}@example.cn", {"subject": f"#{n}", "body": "正文"}, now=now)
            for n in range(ROWS)
        ]
        db.session.commit()
        ids = [r.id for r in rows]
        keys = {r.idempotency_key for r in rows}
        db.session.remove()
    try:

        def work(i, barrier):
            channels = senders(app.config)
            barrier.wait()
            sent = 0
            while True:
                result = deliver_batch(f"worker-{i}", channels, limit=7)
                sent += result.sent
                if result.claimed == 0:
                    return sent

        per_worker = _in_threads(app, work, WORKERS)
        assert not [r for r in per_worker if isinstance(r, Exception)], per_worker
        counts = sink.count_by_message_id()
        assert sum(per_worker) == ROWS and all(n > 0 for n in per_worker), per_worker  # they shared the work
        assert len(counts) == ROWS and set(counts.values()) == {1}  # each message arrived exactly once
        assert {m.removeprefix("<").partition("@")[0] for m in counts} == keys
        with app.app_context():
            statuses = db.session.execute(
                select(OutboxMessage.status, func.count())
                .where(OutboxMessage.id.in_(ids))
                .group_by(OutboxMessage.status)
            ).all()
            assert dict(statuses) == {"sent": ROWS}
    finally:
        sink.stop()
        with app.app_context():
            db.session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))
            db.session.commit()
            db.session.remove()


def test_two_workers_racing_for_the_sweep_run_it_once(app, world, monkeypatch):  # noqa: F811 - the fixture
    from helpdesk.tickets.services import perform_action
    from helpdesk.worker import jobs
    from tests import factories as f

    # only the sweep: the other jobs would commit rows of their own (bulletins) that outlive this test
    monkeypatch.setattr(jobs, "JOBS", tuple(job for job in jobs.JOBS if job.name == "sla_sweep"))

    with app.app_context():
        ticket = f.file(world.owner, now=f.TUESDAY)
        perform_action(world.liaison, ticket, "accept", now=f.TUESDAY)
        db.session.execute(delete(JobLock))
        db.session.commit()
        ticket_id = ticket.id
        db.session.remove()
    try:

        def work(i, barrier):
            barrier.wait()
            return run_due_jobs(f"worker-{i}", YELLOW)

        results = _in_threads(app, work, 2)
        assert sorted(len(r) for r in results) == [0, 1], results  # one ran it, the other found it taken
        with app.app_context():
            warnings = db.session.scalar(
                select(func.count()).select_from(Notification).where(Notification.ticket_id == ticket_id)
                .where(Notification.kind == "warning")
            )  # fmt: skip
            assert warnings == 2  # the assignee and the county supervisor, once each
    finally:
        with app.app_context():
            db.session.execute(delete(JobLock))
            db.session.commit()
            db.session.remove()


def test_a_sweep_still_running_past_its_interval_is_not_joined_by_a_second(app):
    """The lock row's interval may run out while a long sweep still runs: the advisory lock keeps the second out."""
    from helpdesk.worker.jobs import _advisory_lock

    holding, release = threading.Event(), threading.Event()

    def first(i, barrier):
        if i == 0:
            got = _advisory_lock("sla_sweep")
            holding.set()
            release.wait(30)
            db.session.rollback()  # the transaction ends: the lock goes with it
            return got
        holding.wait(30)
        during = _advisory_lock("sla_sweep")
        db.session.rollback()
        release.set()
        return during

    assert _in_threads(app, first, 2) == [True, False]
    with app.app_context():
        assert _advisory_lock("sla_sweep") is True
        db.session.rollback()
        db.session.remove()
