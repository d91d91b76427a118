"""`flask security purge`: drop security records older than SECURITY_LOG_RETENTION_DAYS (never under 180)."""

from datetime import timedelta

import click
from flask.cli import AppGroup

from helpdesk.audit.services import purge_security_events, retention_days
from helpdesk.auth.sessions import purge_sessions
from helpdesk.db import utcnow
from helpdesk.extensions import db

security_cli = AppGroup("security", help="The security audit log.")


@security_cli.command("purge")
def purge() -> None:
    """Delete security records (and page-session rows) older than the retention period; run it from cron."""
    now = utcnow()
    count = purge_security_events(now)
    sessions = purge_sessions(now - timedelta(days=retention_days()))
    db.session.commit()
    click.echo(f"Deleted {count} security records and {sessions} session rows older than {retention_days()} days.")
