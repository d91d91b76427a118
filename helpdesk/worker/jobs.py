"""Periodic jobs run by the worker (the SLA sweep with auto-close, the similarity index), never twice at once across workers.

A job's row in `job_locks` is its schedule and its lock on both databases: a worker starts the job only
after an UPDATE that moves `locked_until` one interval ahead `WHERE locked_until <= now` touched the row
(on PostgreSQL the second of two racing workers waits for the first's commit and then finds nothing
to update). The job then runs in its own transaction which, on PostgreSQL, also takes
`pg_try_advisory_xact_lock`, so that a job running longer than its interval is never joined by a second.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, text, update
from sqlalchemy.exc import IntegrityError

from helpdesk.extensions import db
from helpdesk.worker.models import JobLock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    interval_setting: str  # the config key of its interval in seconds
    run: Callable[[datetime], str]  # does the work (flushes) and returns a one-line summary

    def interval(self) -> timedelta:
        return timedelta(seconds=int(current_app.config.get(self.interval_setting, 300)))


def _sweep(now: datetime) -> str:
    from helpdesk.tickets.sweep import sweep

    return sweep(now).summary()


def _bulletins(now: datetime) -> str:
    from helpdesk.bulletin.sending import send_due_bulletins

    return send_due_bulletins(now)


def _similarity_index(now: datetime) -> str:
    from helpdesk.common_issues.indexing import index_job

    return index_job(now)


JOBS = (
    Job("sla_sweep", "SWEEP_INTERVAL_SECONDS", _sweep),
    Job("monthly_bulletin", "BULLETIN_INTERVAL_SECONDS", _bulletins),
    Job("similarity_index", "SIMILARITY_INTERVAL_SECONDS", _similarity_index),
)


def _ensure_row(name: str) -> None:
    if db.session.get(JobLock, name) is not None:
        return
    try:
        with db.session.begin_nested():
            db.session.add(JobLock(name=name))
    except IntegrityError:
        pass  # another worker created it at the same moment


def take_turn(job: Job, holder: str, now: datetime) -> bool:
    """Win the job's row for one interval (commits); False when another worker has it or ran it recently."""
    _ensure_row(job.name)
    result = db.session.execute(
        update(JobLock)
        .where(JobLock.name == job.name, or_(JobLock.locked_until.is_(None), JobLock.locked_until <= now))
        .values(holder=holder, locked_until=now + job.interval())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _advisory_lock(name: str) -> bool:
    """PostgreSQL: a transaction-scoped advisory lock on the job's name (True elsewhere: one worker there)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return True
    key = zlib.crc32(f"helpdesk-job:{name}".encode())
    return bool(db.session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key}))


def run_job(job: Job, holder: str, now: datetime) -> str | None:
    """Run `job` if it is this worker's turn; its summary, or None when it was not (commits)."""
    if not take_turn(job, holder, now):
        return None
    if not _advisory_lock(job.name):
        db.session.rollback()
        return None
    try:
        summary = job.run(now)
        db.session.execute(
            update(JobLock)
            .where(JobLock.name == job.name)
            .values(last_run_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    log.info("%s: %s", job.name, summary)
    return summary


def run_due_jobs(holder: str, now: datetime) -> dict[str, str]:
    """Every job whose turn it is; a job that fails is logged and tried again after its interval."""
    done = {}
    for job in JOBS:
        try:
            summary = run_job(job, holder, now)
        except Exception:  # noqa: BLE001 - one failing job must not stop deliveries
            log.exception("periodic job %s failed", job.name)
            continue
        if summary is not None:
            done[job.name] = summary
    return done


def last_runs() -> dict[str, datetime | None]:
    return {lock.name: lock.last_run_at for lock in db.session.scalars(select(JobLock))}
