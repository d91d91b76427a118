"""`flask worker`: deliver the outbox and run the periodic jobs (the SLA sweep), until SIGTERM or Ctrl-C."""

from __future__ import annotations

import signal

import click
from flask import current_app
from flask.cli import with_appcontext

from helpdesk.worker.loop import Worker


@click.command("worker")
@click.option("--once", is_flag=True, help="One round: the due jobs and every due message, then exit.")
@click.option("--no-jobs", is_flag=True, help="Deliver only; leave the periodic jobs to other workers.")
@with_appcontext
def worker_command(once: bool, no_jobs: bool) -> None:
    """Deliver notifications (email, SMS, WeCom, DingTalk) and run the SLA sweep every SWEEP_INTERVAL_SECONDS."""
    worker = Worker(current_app._get_current_object(), jobs=not no_jobs)
    if once:
        result = worker.run_once()
        click.echo(f"worker: {result.sent} sent, {result.retried} to retry, {result.failed} failed")
        return

    def stop(signum, frame):
        worker.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    worker.run()
