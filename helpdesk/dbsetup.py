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
            if exc is None:
                commit_if_only_read(db.session())
            db.session.remove()
        except DBAPIError as error:
            log.warning("the database connection was lost before the session ended: %s", error.__class__.__name__)
            db.session.registry.clear()


# -- PostgreSQL: a transaction that only read ends with COMMIT --------------------------------------------------
# psycopg prepares a statement the fifth time a connection runs it, and forgets every prepared statement on
# ROLLBACK (an object it refers to might have been dropped in the transaction). Flask-SQLAlchemy ends each
# request's session with a rollback, so no statement was ever prepared, and PostgreSQL planned every statement of
# every request again: the ticket's eight joins and its visibility subquery took 0.56 ms to plan and 0.23 ms to run
# at 1M. A transaction that only read is ended with COMMIT instead — the same for the data (nothing to keep), and
# the prepared statements stay. Whether it only read is decided conservatively: every statement of the transaction
# a compiled SELECT (text, DML, DDL: a write), and nothing pending in the session.
MUST_ROLL_BACK = "helpdesk_must_roll_back"
# A report's aggregates are planned for their own dates, scope and IN lists each time: PostgreSQL's generic plan of
# a prepared one was slower (the province dashboard at 100k: 86 → 151 ms once its statements were prepared). A
# transaction that ran one ends with ROLLBACK, which unprepares it (psycopg prepares at the 5th execution).
_PLANNED = "helpdesk_planned_each_time"
PLANNED_EACH_TIME = {_PLANNED: True}


def configure_postgresql(app: Flask) -> None:
    """Watch what each transaction of the app's engine runs (`commit_if_only_read` reads it)."""
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "begin")
    def _begun(conn):
        conn.info[MUST_ROLL_BACK] = False

    @event.listens_for(engine, "before_cursor_execute")
    def _watch(conn, cursor, statement, parameters, context, executemany):
        compiled = getattr(context, "compiled", None)
        if compiled is None or not getattr(compiled.statement, "is_select", False):
            conn.info[MUST_ROLL_BACK] = True
        elif context.execution_options.get(_PLANNED):
            conn.info[MUST_ROLL_BACK] = True  # not a write, but PLANNED_EACH_TIME: never left prepared


def commit_if_only_read(session) -> None:
    """End `session`'s transaction with COMMIT when it only read (PostgreSQL, see above); else leave it to the
    rollback of `session.remove()`."""
    transaction = session.get_transaction()
    if transaction is None or session.get_nested_transaction() is not None:
        return
    if session.new or session.deleted or session.dirty:
        return
    connections = [conn for conn, *_ in getattr(transaction, "_connections", {}).values()]  # none: nothing ran
    only_read = all(
        conn.dialect.name == "postgresql" and conn.info.get(MUST_ROLL_BACK) is False for conn in connections
    )
    if connections and only_read:
        session.commit()
