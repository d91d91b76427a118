"""Database connection details that depend on the dialect."""

from flask import Flask
from sqlalchemy import event

from helpdesk.extensions import db

# Every SQLite connection: foreign keys checked (off by default), a writer waits up to 10 s for the lock
# instead of failing at once, and a file database runs in write-ahead-log mode with synchronous=NORMAL, so
# readers never wait for a writer and a commit is one append to the log (durable at each checkpoint;
# an OS crash may lose the last transactions, a process crash none). An in-memory database has no WAL.
SQLITE_PRAGMAS = (("foreign_keys", "ON"), ("busy_timeout", "10000"), ("synchronous", "NORMAL"))


def configure_sqlite(app: Flask) -> None:
    """Apply SQLITE_PRAGMAS on every new connection; switch a file database to WAL once."""
    with app.app_context():
        engine = db.engine
    in_memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, connection_record):  # pragma: no cover - trivial
        cursor = dbapi_connection.cursor()
        for name, value in SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {name}={value}")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")  # persistent: stays for every later connection too
        cursor.close()
