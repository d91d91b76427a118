"""Test fixtures: the real app factory with the testing config, one rolled-back transaction per test.

TEST_DATABASE_URL picks the database (SQLite in memory by default; CI also runs the suite on PostgreSQL).
"""

from __future__ import annotations

import contextvars
import itertools
import os

import pytest
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as _FlaskSession
from sqlalchemy import event
from sqlalchemy.pool import StaticPool

os.environ.setdefault("HELPDESK_ENV", "testing")

from helpdesk import create_app  # noqa: E402
from helpdesk.extensions import db as _db  # noqa: E402

DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://")
IS_SQLITE = DATABASE_URL.startswith("sqlite")


def _engine_options() -> dict:
    if IS_SQLITE:
        # One in-memory database shared by every connection of the test process. isolation_level=None hands
        # transaction control to SQLAlchemy (see _sqlite_emits_begin): pysqlite's own would let a RELEASE
        # SAVEPOINT commit for real.
        return {"poolclass": StaticPool, "connect_args": {"check_same_thread": False, "isolation_level": None}}
    return {"pool_pre_ping": True}


def _sqlite_emits_begin(engine) -> None:
    """SQLAlchemy's recipe for working SAVEPOINTs on pysqlite: emit BEGIN ourselves."""

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")


def pytest_collection_modifyitems(config, items):
    """`postgres_only` tests are skipped when the suite runs on SQLite (setup.cfg declares the marker)."""
    if not IS_SQLITE:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set TEST_DATABASE_URL)")
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(skip)


class _ConnectionBoundSession(_FlaskSession):
    """A session that uses the connection it was given.

    Flask-SQLAlchemy's Session.get_bind picks the app's engine and ignores the session's own `bind`, which would
    let every query and commit of a test escape the test's transaction.
    """

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and self.bind is not None:
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own app context, as a real request does.

    The tests run inside one long-lived app context; Flask reuses a pushed app context for a request of the same
    app, so without this every request of the session would share `g` (Flask-Login's cached user, Flask-Limiter's
    and Flask-Babel's per-request state) and the test's own db.session. Running the request in an empty
    contextvars.Context makes Flask push a fresh app context, hence a fresh `g` and a fresh db.session, bound to
    the test's connection and so inside the test's rolled-back transaction. Objects a test holds must be
    refreshed (db.session.refresh / expire_all) to see what a request changed, as with a real server.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """The .mo catalogs are compiled at install time (make); compile missing or stale ones so `pytest` alone works."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    folder = Path(__file__).resolve().parent.parent / "helpdesk" / "translations"
    for po in folder.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        partial = mo.with_suffix(f".mo.{os.getpid()}")  # parallel workers: each writes its own, then swaps it in
        with partial.open("wb") as target:
            write_mo(target, catalog)
        os.replace(partial, mo)


@pytest.fixture(scope="session")
def app(tmp_path_factory, compiled_translations):
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=DATABASE_URL,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(),
        UPLOAD_FOLDER=str(tmp_path_factory.mktemp("uploads")),
        WTF_CSRF_ENABLED=False,
        SERVER_NAME="localhost",
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        if IS_SQLITE:
            _sqlite_emits_begin(_db.engine)
        _db.drop_all()
        _db.create_all()
        from helpdesk.seeding.reference import load_reference_data

        load_reference_data()
        _db.session.commit()
        yield app
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()  # close pooled connections now, not in a finalizer (a ResourceWarning on psycopg)


@pytest.fixture()
def db(app):
    """Each test runs inside a transaction that is rolled back at the end (SQLAlchemy's savepoint recipe)."""
    connection = _db.engine.connect()
    transaction = connection.begin()
    original = _db.session
    session_factory = _db._make_scoped_session(
        {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": _ConnectionBoundSession}
    )
    _db.session = session_factory
    try:
        yield _db
    finally:
        session_factory.remove()
        _db.session = original
        transaction.rollback()
        connection.close()
        from helpdesk.extensions import limiter

        limiter.reset()


@pytest.fixture()
def client(app, db):
    return app.test_client()


_counter = itertools.count(1)


@pytest.fixture()
def make_user(db):
    from helpdesk.auth.services import create_user

    def make(role: str = "admin", password: str = "correct horse", **kwargs):
        n = next(_counter)
        kwargs.setdefault("email", f"user{n}@example.cn")
        kwargs.setdefault("name", f"User {n}")
        return create_user(role=role, password=password, **kwargs)

    return make
