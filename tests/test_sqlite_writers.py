"""SQLite writers queue on a lock file for the length of each write transaction (helpdesk/sqlite_writers.py)."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time

import pytest
from sqlalchemy import text

from helpdesk import create_app
from helpdesk.extensions import db
from helpdesk.sqlite_writers import SerialWriterConnection


@pytest.fixture()
def engine(tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'helpdesk.db'}")
    with app.app_context():
        engine = db.engine
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        yield engine
        engine.dispose()


def lock_is_taken(engine) -> bool:
    """Whether some connection holds the writers' lock (tried from a descriptor of our own)."""
    fd = os.open(f"{engine.url.database}-writers", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def test_the_apps_file_database_connections_queue_their_writers(engine):
    with engine.connect() as conn:
        assert isinstance(conn.connection.dbapi_connection, SerialWriterConnection)


def test_a_write_transaction_holds_the_lock_until_it_commits_or_rolls_back(engine):
    with engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM notes")).scalar()
        assert not lock_is_taken(engine), "reads do not queue"
        conn.execute(text("INSERT INTO notes (body) VALUES ('first')"))
        assert lock_is_taken(engine)
        conn.execute(text("UPDATE notes SET body = 'first, edited'"))
        assert lock_is_taken(engine)
        conn.commit()
        assert not lock_is_taken(engine)

        conn.execute(text("DELETE FROM notes"))
        assert lock_is_taken(engine)
        conn.rollback()
        assert not lock_is_taken(engine)
        assert conn.execute(text("SELECT body FROM notes")).scalars().all() == ["first, edited"]


def test_a_failed_statement_keeps_the_lock_until_its_transaction_ends(engine):
    with engine.connect() as conn:
        conn.execute(text("INSERT INTO notes (id, body) VALUES (1, 'one')"))
        with pytest.raises(Exception, match="UNIQUE"):
            conn.execute(text("INSERT INTO notes (id, body) VALUES (1, 'again')"))
        assert lock_is_taken(engine)
        conn.rollback()
        assert not lock_is_taken(engine)


def test_a_second_writer_waits_for_the_first_and_then_writes(engine):
    first = engine.connect()
    first.execute(text("INSERT INTO notes (body) VALUES ('first')"))
    done, errors = threading.Event(), []

    def second_writer():
        try:
            with engine.connect() as conn:
                conn.execute(text("INSERT INTO notes (body) VALUES ('second')"))
                conn.commit()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        done.set()

    thread = threading.Thread(target=second_writer)
    thread.start()
    assert not done.wait(0.3), "the second writer went ahead while the first one's transaction was open"
    first.commit()
    first.close()
    thread.join(10)
    assert done.is_set() and errors == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT body FROM notes ORDER BY id")).scalars().all() == ["first", "second"]
    assert not lock_is_taken(engine)


def test_a_thread_writing_through_two_connections_does_not_wait_for_itself(engine):
    """The second connection meets SQLite's own lock (and its busy timeout), never a wait for this thread."""
    outcome = []

    def write_twice():
        with engine.connect() as first, engine.connect() as second:
            first.execute(text("INSERT INTO notes (body) VALUES ('first')"))
            second.exec_driver_sql("PRAGMA busy_timeout=100")
            try:
                second.execute(text("INSERT INTO notes (body) VALUES ('second')"))
            except Exception as exc:  # noqa: BLE001 - what SQLite answers is the point
                outcome.append(str(exc))
            first.commit()

    thread = threading.Thread(target=write_twice, daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(10)
    assert not thread.is_alive(), "the thread waited for a lock it held itself"
    assert time.monotonic() - started < 5
    assert outcome and "database is locked" in outcome[0]
    assert not lock_is_taken(engine)


def test_a_plain_sqlite3_writer_is_still_kept_out_by_sqlites_own_lock(engine):
    """The lock file only orders our writers; one that ignores it still meets SQLite's lock."""
    with engine.connect() as conn:
        conn.execute(text("INSERT INTO notes (body) VALUES ('ours')"))
        outsider = sqlite3.connect(engine.url.database, timeout=0.1)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            outsider.execute("INSERT INTO notes (body) VALUES ('outsider')")
        outsider.close()
        conn.commit()
