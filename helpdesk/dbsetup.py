"""Database connection details that depend on the dialect."""

from flask import Flask
from sqlalchemy import event

from helpdesk.extensions import db


def enable_sqlite_foreign_keys(app: Flask) -> None:
    """SQLite checks foreign keys only when asked, once per connection."""
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _fk_on(dbapi_connection, connection_record):  # pragma: no cover - trivial
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
