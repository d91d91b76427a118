"""`flask sla sweep`: warnings and auto-close, safe to run from cron every few minutes."""

import click
from flask.cli import AppGroup

from helpdesk.extensions import db
from helpdesk.tickets.sweep import sweep

sla_cli = AppGroup("sla", help="Deadlines and warnings.")


@sla_cli.command("sweep")
def sweep_command() -> None:
    """Notify each colour change once and auto-close resolved tickets; prints a one-line summary."""
    result = sweep()
    db.session.commit()
    click.echo(result.summary())
