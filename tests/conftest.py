"""Test fixtures: the real app factory with the testing config, one rolled-back transaction per test.

TEST_DATABASE_URL picks the database (SQLite in memory by default; CI also runs the suite on PostgreSQL).
"""
from __future__ import annotations

import os
import itertools

import pytest
from sqlalchemy import event
from sqlalchemy.pool import StaticPool

os.environ.setdefault("HELPDESK_ENV", "testing")

from helpdesk import create_app  # noqa: E402
from helpdesk.extensions import db as _db  # noqa: E402

DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://")
IS_SQLITE = DATABASE_URL.startswith("sqlite")


def _engine_options() -> dict:
    if IS_SQLITE:
        # One in-memory database shared by every connection of the test process.
        return {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    return {"pool_pre_ping": True}


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=DATABASE_URL,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(),
        UPLOAD_FOLDER=str(tmp_path_factory.mktemp("uploads")),
        WTF_CSRF_ENABLED=False,
        SERVER_NAME="localhost",
    )
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        from helpdesk.seeding.reference import load_reference_data

        load_reference_data()
        _db.session.commit()
        yield app
        _db.session.remove()
        _db.drop_all()


@pytest.fixture()
def db(app):
    """Each test runs inside a transaction that is rolled back at the end (SQLAlchemy's savepoint recipe)."""
    connection = _db.engine.connect()
    transaction = connection.begin()
    original = _db.session
    session_factory = _db._make_scoped_session({"bind": connection, "join_transaction_mode": "create_savepoint"})
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
