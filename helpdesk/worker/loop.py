"""The worker's loop: periodic jobs when their turn comes, then the outbox, until told to stop."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import datetime

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from helpdesk.db import utcnow
from helpdesk.extensions import db
from helpdesk.notifications.channels import senders
from helpdesk.worker.delivery import BatchResult, deliver_batch
from helpdesk.worker.jobs import run_due_jobs

log = logging.getLogger(__name__)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:80]


class Worker:
    """One delivery worker. `run()` loops until `stop` is set; `run_once()` is one round (tests, --once)."""

    def __init__(
        self,
        app: Flask,
        *,
        name: str | None = None,
        jobs: bool = True,
        clock: Callable[[], datetime] = utcnow,
        stop: threading.Event | None = None,
    ):
        self.app = app
        self.name = name or worker_id()
        self.jobs = jobs
        self.clock = clock
        self.stop = stop or threading.Event()
        self.channels = senders(app.config)

    def run_once(self) -> BatchResult:
        """Due jobs, then batches of the outbox until none is due (or a stop is asked for)."""
        with self.app.app_context():
            try:
                if self.jobs:
                    run_due_jobs(self.name, self.clock())
                total = BatchResult()
                while not self.stop.is_set():
                    result = deliver_batch(self.name, self.channels, self.clock)
                    for key in ("claimed", "sent", "retried", "failed", "released", "deferred"):
                        setattr(total, key, getattr(total, key) + getattr(result, key))
                    total.errors += result.errors
                    if result.claimed == 0 or result.released or result.deferred:
                        break
                return total
            finally:
                db.session.remove()

    def run(self) -> None:
        """Loop until stopped; an unreachable database is logged and waited out."""
        poll = float(self.app.config.get("WORKER_POLL_SECONDS", 2))
        log.info("worker %s started (poll every %s s)", self.name, poll)
        while not self.stop.is_set():
            try:
                result = self.run_once()
            except SQLAlchemyError as exc:
                log.warning("worker %s: database unavailable (%s); retrying", self.name, exc.__class__.__name__)
                self.stop.wait(max(poll, 5))
                continue
            if result.claimed == 0:
                self.stop.wait(poll)
        log.info("worker %s stopped", self.name)
