"""The worker: `flask worker --once`, the periodic sweep on a schedule with its lock row, and the loop."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from helpdesk.notifications.models import Notification
from helpdesk.worker.jobs import JOBS, last_runs, run_due_jobs, take_turn
from helpdesk.worker.loop import Worker
from helpdesk.worker.models import JobLock
from tests import factories as f
from tests.notifications.conftest import outbox_rows
from tests.tickets.test_sweep import ORANGE, YELLOW

SWEEP = JOBS[0]


def _warnings() -> int:
    return f.db.session.scalar(select(func.count()).select_from(Notification).where(Notification.kind == "warning"))


def test_flask_worker_once_delivers_what_is_due(app, w, smtp_sink, mail_to):
    mail_to(smtp_sink.port)
    f.file(w.owner)
    result = app.test_cli_runner().invoke(args=["worker", "--once", "--no-jobs"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "worker: 1 sent, 0 to retry, 0 failed"
    assert len(smtp_sink.messages) == 1
    assert [r.status for r in outbox_rows()] == ["sent"]


def test_the_sweep_runs_once_per_interval_whoever_asks(app, w):
    w.ticket("in_progress"), w.ticket("in_progress")
    assert run_due_jobs("worker-a", YELLOW)["sla_sweep"] == _summary(2)
    assert _warnings() == 4  # two tickets × (assignee, county supervisor)
    assert "sla_sweep" not in run_due_jobs("worker-b", YELLOW + timedelta(seconds=10))  # the interval holds
    lock = f.db.session.get(JobLock, "sla_sweep")
    assert (lock.holder, lock.last_run_at) == ("worker-a", YELLOW)
    assert lock.locked_until == YELLOW + timedelta(seconds=300)
    done = run_due_jobs("worker-b", YELLOW + timedelta(seconds=300))
    assert "0 turned worse" in done["sla_sweep"]
    assert last_runs()["sla_sweep"] == YELLOW + timedelta(seconds=300)


def _summary(n):
    return f"sweep: {n} warned tickets checked, {n} turned worse (yellow {n}), 0 auto-closed, 2 digest emails"


def test_the_interval_is_configurable(app, w, monkeypatch):
    monkeypatch.setitem(app.config, "SWEEP_INTERVAL_SECONDS", 60)
    assert take_turn(SWEEP, "a", YELLOW)
    assert not take_turn(SWEEP, "b", YELLOW + timedelta(seconds=59))
    assert take_turn(SWEEP, "b", YELLOW + timedelta(seconds=60))


def test_a_failing_job_is_logged_and_deliveries_go_on(app, w, monkeypatch, caplog, smtp_sink, mail_to):
    from helpdesk.tickets import sweep as sweep_module

    def broken(now):
        raise RuntimeError("sweep bug")

    monkeypatch.setattr(sweep_module, "sweep", broken)
    mail_to(smtp_sink.port)
    f.file(w.owner)
    result = Worker(app, name="w1", clock=lambda: ORANGE).run_once()
    assert result.sent == 1
    assert "periodic job sla_sweep failed" in caplog.text


def test_the_worker_loop_stops_when_asked(app, w, smtp_sink, mail_to, monkeypatch):
    monkeypatch.setitem(app.config, "WORKER_POLL_SECONDS", 0.05)
    mail_to(smtp_sink.port)
    f.file(w.owner)
    worker = Worker(app, name="loop", jobs=False)
    rounds = []
    original = worker.run_once

    def counted():
        result = original()
        rounds.append(result)
        if len(rounds) >= 3:
            worker.stop.set()
        return result

    worker.run_once = counted
    runner = threading.Thread(target=worker.run)
    runner.start()
    runner.join(10)
    assert not runner.is_alive()
    assert rounds[0].sent == 1 and all(r.claimed == 0 for r in rounds[1:])
    assert len(smtp_sink.messages) == 1


def test_the_sweep_job_also_auto_closes(app, w):
    from tests.tickets.test_sweep import D, local

    ticket = w.ticket("in_progress", now=f.TUESDAY)
    from helpdesk.tickets.services import perform_action

    perform_action(w.liaison, ticket, "resolve", note="已办结", now=f.TUESDAY)
    done = run_due_jobs("a", local(D(2025, 3, 19), 0, 5))
    assert "1 auto-closed" in done["sla_sweep"]
    assert ticket.status == "closed"
