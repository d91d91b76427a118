"""The Alembic migrations build exactly the schema the models describe, and can be undone and redone.

Runs on a fresh, empty database of the same kind as the test database (a file for SQLite, a temporary database
on the same PostgreSQL server), never on the shared test database.
"""

from __future__ import annotations

import logging
import os
import uuid
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from helpdesk import create_app
from helpdesk.enterprises.credit_code import make_credit_code
from helpdesk.extensions import db as _db

DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://")  # the suite's choice, as in conftest.py
IS_SQLITE = DATABASE_URL.startswith("sqlite")

# migrations/env.py tries Flask-SQLAlchemy 2's db.get_engine() first, deprecated in 3.x.
pytestmark = pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")


@pytest.fixture()
def keep_logging():
    """migrations/env.py calls logging.config.fileConfig, which replaces handlers and disables every existing
    logger; put logging back so that later tests (and caplog) see what they expect."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    loggers = {
        name: (lg.disabled, lg.level)
        for name, lg in logging.Logger.manager.loggerDict.items()
        if isinstance(lg, logging.Logger)
    }
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, lg in logging.Logger.manager.loggerDict.items():
            if isinstance(lg, logging.Logger):
                lg.disabled, lg.level = loggers.get(name, (False, logging.NOTSET))


@pytest.fixture()
def empty_database_url(tmp_path):
    """The URL of a new, empty database of the kind the suite runs on; dropped afterwards."""
    if IS_SQLITE:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"helpdesk_migrations_{uuid.uuid4().hex[:12]}"
    server = make_url(DATABASE_URL)
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield server.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


@pytest.fixture()
def migration_app(empty_database_url, keep_logging):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database_url, SQLALCHEMY_ENGINE_OPTIONS={})
    with app.app_context():
        try:
            yield app
        finally:
            _db.session.remove()
            _db.engine.dispose()


def schema_differences() -> list:
    with _db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, _db.metadata)


def table_names() -> set[str]:
    with _db.engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def test_migrations_build_the_models_schema_and_can_be_undone(migration_app):
    assert table_names() == set()

    upgrade()
    assert schema_differences() == []
    assert set(_db.metadata.tables) <= table_names()

    downgrade(revision="base")
    assert table_names() == {"alembic_version"}

    upgrade()
    assert schema_differences() == []


def _county_with_tickets(conn, now: datetime, tickets: int = 1) -> int:
    """Raw rows of an older schema: a county with two departments, a category, an enterprise and `tickets` of its
    tickets; the county's id."""
    county = conn.execute(
        text(
            "INSERT INTO jurisdictions (code, name, name_en, level) "
            "VALUES ('411602', '川汇区', 'Chuanhui District', 'county') RETURNING id"
        )
    ).scalar_one()
    conn.execute(
        text(
            "INSERT INTO departments (jurisdiction_id, code, name, name_en, is_default) VALUES"
            " (:county, 'nr', '川汇区自然资源局', 'Chuanhui District Bureau of Natural Resources', false),"
            " (:county, 'custom', '川汇区自建部门', 'A department of its own', false)"
        ),
        {"county": county},
    )
    category = conn.execute(
        text(
            "INSERT INTO categories (code, name, name_en, help, help_en, response_days, resolution_days, position) "
            "VALUES ('land', '用地保障', 'Land', '', '', 1, 15, 0) RETURNING id"
        )
    ).scalar_one()
    company = conn.execute(
        text(
            "INSERT INTO enterprises (name, credit_code, jurisdiction_id, is_key, created_at) "
            "VALUES ('周口测试有限公司', :code, :county, false, :now) RETURNING id"
        ),
        {"code": make_credit_code("91411602MA44TEXT1"), "county": county, "now": now},
    ).scalar_one()
    for seq in range(1, tickets + 1):
        conn.execute(
            text(
                "INSERT INTO tickets (number, number_prefix, number_year, number_seq, title, description, category_id,"
                " priority, status, enterprise_id, jurisdiction_id, handling_jurisdiction_id, created_at, updated_at,"
                " response_due_at, yellow_from, due_at, red_from, reopen_count, urge_count, version, routing_reason)"
                " VALUES (:number, 'ZK', 2024, :seq, '用地指标', '用地指标迟迟未落实', :category, 'normal',"
                " 'submitted', :company, :county, :county, :now, :now, :now, :now, :now, :now, 0, 0, 1,"
                " 'category land at 川汇区 → 川汇区自然资源局 by rule #3')"
            ),
            {
                "category": category,
                "company": company,
                "county": county,
                "now": now,
                "seq": seq,
                "number": f"ZK-2024-{seq:06d}",
            },
        )
    return county


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    "statement",
    ["UPDATE ticket_events SET note = 'rewritten' WHERE id = :id", "DELETE FROM ticket_events WHERE id = :id"],
)
def test_database_refuses_to_change_a_ticket_event(migration_app, statement):
    upgrade()
    now = datetime.now(UTC)
    with _db.engine.begin() as conn:
        _county_with_tickets(conn, now)
        ticket = conn.execute(text("SELECT id FROM tickets")).scalar_one()
        event = conn.execute(
            text(
                "INSERT INTO ticket_events (ticket_id, action, to_status, internal, created_at)"
                " VALUES (:ticket, 'file', 'submitted', false, :now) RETURNING id"
            ),
            {"ticket": ticket, "now": now},
        ).scalar_one()

    with pytest.raises(DBAPIError, match="append-only"), _db.engine.begin() as conn:
        conn.execute(text(statement), {"id": event})

    with _db.engine.connect() as conn:
        assert conn.execute(text("SELECT note FROM ticket_events WHERE id = :id"), {"id": event}).one() == (None,)


def test_0005_keeps_old_routing_sentences_and_gives_seeded_departments_their_short_names(migration_app):
    upgrade(revision="0002_report_indexes")
    with _db.engine.begin() as conn:
        _county_with_tickets(conn, datetime.now(UTC))

    upgrade()
    with _db.engine.connect() as conn:
        ticket = conn.execute(text("SELECT routing, routing_reason FROM tickets")).one()
        shorts = dict(conn.execute(text("SELECT code, short_name || '|' || short_name_en FROM departments")).all())
    assert ticket == (None, "category land at 川汇区 → 川汇区自然资源局 by rule #3")  # shown as recorded
    assert shorts == {"nr": "自然资源局|Natural Resources", "custom": "|"}  # not seeded: the full name is shown

    downgrade(revision="0002_report_indexes")
    with _db.engine.connect() as conn:
        assert conn.execute(text("SELECT routing_reason FROM tickets")).scalar_one().startswith("category land")
        assert "short_name" not in {c["name"] for c in inspect(conn).get_columns("departments")}


def test_0012_counts_the_tickets_already_filed_and_keeps_counting(migration_app):
    upgrade(revision="0011_outcome_counts")
    with _db.engine.begin() as conn:
        county = _county_with_tickets(conn, datetime.now(UTC), tickets=3)

    upgrade()
    counted = "SELECT jurisdiction_id, n FROM ticket_counts"
    with _db.engine.begin() as conn:
        assert conn.execute(text(counted)).all() == [(county, 3)]
        conn.execute(text("DELETE FROM tickets WHERE number_seq = 2"))
        assert conn.execute(text(counted)).all() == [(county, 2)]

    downgrade(revision="0011_outcome_counts")
    with _db.engine.begin() as conn:
        assert "ticket_counts" not in inspect(conn).get_table_names()
        conn.execute(text("DELETE FROM tickets"))  # no trigger left behind that needs the table
        assert conn.execute(text("SELECT count(*) FROM tickets")).scalar_one() == 0


def test_0013_stamps_every_change_of_the_reference_tables_and_its_downgrade_leaves_no_trigger(migration_app):
    upgrade(revision="0012_ticket_counts")
    upgrade()
    stamp = "SELECT stamp FROM reference_stamp"
    with _db.engine.begin() as conn:
        first = conn.execute(text(stamp)).scalar_one()
        conn.execute(
            text(
                "INSERT INTO holiday_overrides (day, is_workday, note, created_at) VALUES ('2027-02-06', true, '', '2026-12-04 12:00:00')"
            )
        )
        second = conn.execute(text(stamp)).scalar_one()
        conn.execute(text("DELETE FROM holiday_overrides"))
        third = conn.execute(text(stamp)).scalar_one()
    assert len({first, second, third}) == 3

    downgrade(revision="0012_ticket_counts")
    with _db.engine.begin() as conn:
        assert "reference_stamp" not in inspect(conn).get_table_names()
        # no trigger left behind that needs the table
        conn.execute(
            text(
                "INSERT INTO holiday_overrides (day, is_workday, note, created_at) VALUES ('2027-02-06', true, '', '2026-12-04 12:00:00')"
            )
        )
        assert conn.execute(text("SELECT count(*) FROM holiday_overrides")).scalar_one() == 1


@pytest.mark.postgres_only
def test_0010_gives_the_planner_the_distinct_groups_of_a_report_by_jurisdiction_with_callbacks(migration_app):
    def statistics() -> dict[str, set[str]]:
        with _db.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT s.stxname, a.attname FROM pg_statistic_ext s"
                    " JOIN pg_attribute a ON a.attrelid = s.stxrelid AND a.attnum = ANY (s.stxkeys)"
                    " WHERE s.stxrelid = 'tickets'::regclass AND 'd' = ANY (s.stxkind)"
                )
            ).all()
        found: dict[str, set[str]] = {}
        for name, column in rows:
            found.setdefault(name, set()).add(column)
        return found

    report_columns = {"jurisdiction_id", "status", "rating", "callback_state"}  # a report by county's groups
    upgrade(revision="0009_tickets_by_jurisdiction")
    assert not any(report_columns <= columns for columns in statistics().values())
    upgrade()
    assert statistics()["st_tickets_outcome_groups"] == report_columns | {"department_id", "assignee_id", "category_id"}
    downgrade(revision="0009_tickets_by_jurisdiction")
    assert "st_tickets_outcome_groups" not in statistics()
