"""Fixtures of the report tests: tickets inserted directly, with every field the figures read spelled out."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from helpdesk.jurisdictions.models import Category
from helpdesk.tickets.models import Ticket
from tests import factories

# A Tuesday of an ordinary 2024 week, 10:00 in Shanghai; the report is read a year later.
FILED = datetime(2024, 3, 12, 2, 0, tzinfo=UTC)
AS_OF = datetime(2025, 3, 12, 2, 0, tzinfo=UTC)

_seq = itertools.count(1)


class TicketRows:
    """Insert tickets with one Core bulk INSERT: `add(5, status="closed", rating="satisfied")`."""

    def __init__(self, db):
        self.db = db
        self.enterprises: dict[str, object] = {}
        self.categories = {c.code: c.id for c in db.session.scalars(select(Category))}

    def enterprise(self, county: str):
        if county not in self.enterprises:
            self.enterprises[county] = factories.enterprise(county)
        return self.enterprises[county]

    def row(self, county: str = "411602", category: str = "policy", created_at: datetime = FILED, **fields) -> dict:
        company = self.enterprise(county)
        n = next(_seq)
        values = {
            "number": f"RT-{n:08d}",
            "number_prefix": "RT",
            "number_year": 2024,
            "number_seq": n,
            "title": "测试诉求标题",
            "description": "测试诉求的详细描述内容。",
            "category_id": self.categories[category],
            "priority": "normal",
            "status": "assigned",
            "enterprise_id": company.id,
            "jurisdiction_id": company.jurisdiction_id,
            "handling_jurisdiction_id": company.jurisdiction_id,
            "department_id": None,
            "assignee_id": None,
            "liaison_id": None,
            "created_by_id": None,
            "created_at": created_at,
            "updated_at": created_at,
            "response_due_at": created_at + timedelta(days=1),
            "yellow_from": created_at + timedelta(days=8),
            "due_at": created_at + timedelta(days=9),
            "red_from": created_at + timedelta(days=14),
            "paused_at": None,
            "first_response_at": None,
            "resolved_at": None,
            "closed_at": None,
            "rating": None,
            "reopen_count": 0,
            "urge_count": 0,
            "version": 1,
            "routing_reason": "",
            "notified_warning": None,
        }
        if fields.get("status") in ("resolved", "closed"):
            values["resolved_at"] = created_at + timedelta(days=3)
            values["first_response_at"] = created_at + timedelta(hours=2)
        values.update(fields)
        return values

    def add(self, count: int = 1, **fields) -> None:
        rows = [self.row(**fields) for _ in range(count)]
        self.db.session.execute(insert(Ticket.__table__), rows)

    def add_rows(self, rows: list[dict]) -> None:
        self.db.session.execute(insert(Ticket.__table__), rows)


@pytest.fixture()
def tickets(db):
    return TicketRows(db)


@pytest.fixture()
def admin(db):
    return factories.fast_admin()
