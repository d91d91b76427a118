"""Database connection details that depend on the dialect."""

import logging
import os

from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError

from helpdesk.extensions import db
from helpdesk.sqlite_writers import connection_factory

# Every SQLite connection: foreign keys checked (off by default), a writer waits up to 10 s for the lock
# instead of failing at once, and a file database runs in write-ahead-log mode with synchronous=NORMAL, so
# readers never wait for a writer and a commit is one append to the log (durable at each checkpoint;
# an OS crash may lose the last transactions, a process crash none). An in-memory database has no WAL.
SQLITE_PRAGMAS = (("foreign_keys", "ON"), ("busy_timeout", "10000"), ("synchronous", "NORMAL"))


def configure_sqlite(app: Flask) -> None:
    """Apply SQLITE_PRAGMAS on every new connection; switch a file database to WAL once."""
    with app.app_context():
        engine = db.engine
    in_memory = engine.url.database in (None, "", ":memory:") or engine.url.database.startswith("file:")

    if not in_memory:

        @event.listens_for(engine, "do_connect")
        def _serial_writers(dialect, connection_record, cargs, cparams):  # pragma: no cover - trivial
            cparams.setdefault("factory", connection_factory(os.path.abspath(engine.url.database)))

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, connection_record):  # pragma: no cover - trivial
        cursor = dbapi_connection.cursor()
        for name, value in SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {name}={value}")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")  # persistent: stays for every later connection too
        cursor.close()


log = logging.getLogger(__name__)


def remove_session_safely(app: Flask) -> None:
    """End each request's session without turning a lost connection into a 500.

    Flask-SQLAlchemy's teardown rolls the session back; when the database was shut down between the answer
    and the teardown (a restart, a failover), that ROLLBACK raises and the already-decided answer (often the
    503 of a database error) became gunicorn's 500. The connection is dead either way: log it, forget the
    session (so the next request of this thread starts clean) and let the pool replace the connection."""
    app.teardown_appcontext_funcs[:] = [
        f for f in app.teardown_appcontext_funcs if getattr(f, "__func__", None) is not type(db)._teardown_session
    ]

    @app.teardown_appcontext
    def _remove_session(exc: BaseException | None) -> None:
        try:
            db.session.remove()
        except DBAPIError as error:
            log.warning("the database connection was lost before the session ended: %s", error.__class__.__name__)
            db.session.registry.clear()
