"""The SQL behind the report, where it must agree with migration 0002."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from sqlalchemy.dialects import postgresql

from helpdesk.reports.sql import period_key
from helpdesk.tickets.models import Ticket

MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0002_report_indexes.py"


def _migration():
    spec = importlib.util.spec_from_file_location("migration_0002", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _normalised(sql: str) -> str:
    return " ".join(sql.replace("tickets.", "").replace("(", " ( ").replace(")", " ) ").split())


@pytest.mark.parametrize(
    ("unit", "statistics"), [("month", "st_tickets_local_month"), ("week", "st_tickets_local_week")]
)
def test_period_keys_are_the_expressions_postgresql_keeps_statistics_on(unit, statistics):
    # PostgreSQL uses expression statistics only for the very same expression: if these drift apart,
    # the planner guesses a million groups again and sorts the whole table instead of hashing it.
    compiled = str(period_key(Ticket.created_at, unit, dialect="postgresql").compile(dialect=postgresql.dialect()))
    assert _normalised(f"({compiled})") == _normalised(_migration().STATISTICS[statistics])
