"""The outcome rollup (helpdesk/reports/rollup.py): the database keeps the counts right through every kind of
write, and a report read through it is the report read from the tickets alone."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, event, select, update

from helpdesk.calendar.workdays import SHANGHAI
from helpdesk.jurisdictions.models import Department, Jurisdiction
from helpdesk.reports import services
from helpdesk.reports.rollup import OutcomeCount, rebuild
from helpdesk.reports.services import resolution_reports
from helpdesk.tickets.models import Ticket
from tests import factories

COUNTIES = ("411602", "411603", "411621")
AS_OF = datetime(2024, 7, 20, 2, 0, tzinfo=UTC)
STATUSES = (
    "submitted",
    "assigned",
    "in_progress",
    "awaiting_enterprise",
    "resolved",
    "closed",
    "withdrawn",
    "declined",
)


def _expected_counts(db) -> Counter:
    """The rollup's rows counted here in Python from the tickets (local month by zoneinfo, not by SQL)."""

    def flag(done, due):
        return -1 if done is None or due is None else int(done <= due)

    counts: Counter = Counter()
    for t in db.session.scalars(select(Ticket).where(Ticket.first_response_at.is_not(None))):
        local = t.created_at.astimezone(SHANGHAI)
        counts[
            (
                t.jurisdiction_id,
                f"{local.year}-{local.month:02d}",
                t.department_id or 0,
                str(t.status.value if hasattr(t.status, "value") else t.status),
                t.rating.value if t.rating else "",
                t.callback_state.value if t.callback_state else "",
                flag(t.resolved_at, t.due_at),
                flag(t.first_response_at, t.response_due_at),
            )
        ] += 1
    return counts


def _rollup(db) -> Counter:
    rows = db.session.scalars(select(OutcomeCount).where(OutcomeCount.n != 0))
    return Counter(
        {
            (
                r.jurisdiction_id,
                r.month,
                r.department_id,
                r.status,
                r.rating,
                r.callback_state,
                r.on_time,
                r.answered_on_time,
            ): r.n
            for r in rows
        }
    )


@pytest.fixture()
def spread(db, tickets):
    """300 tickets over the first half of 2024 in three counties, answered or not, on time or late, with and
    without a department, rating and callback; some filed a second before or after a local month's start."""
    rng = random.Random(1324)
    departments = {
        code: [None, *db.session.scalars(select(Department.id).join(Jurisdiction).where(Jurisdiction.code == code))]
        for code in COUNTIES
    }
    rows = []
    for n in range(300):
        county = rng.choice(COUNTIES)
        if n % 10 == 0:  # the first second of a local month, or the last one of the month before
            month = rng.randint(2, 6)
            created = datetime(2024, month, 1, tzinfo=SHANGHAI).astimezone(UTC) - timedelta(seconds=n % 20 // 10)
        else:
            created = datetime(2024, 1, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 60 * 24 * 180))
        status = rng.choice(STATUSES)
        answered = status not in ("submitted", "withdrawn", "declined") or rng.random() < 0.3
        fields = {
            "status": status,
            "department_id": rng.choice(departments[county][:4]),
            "first_response_at": created + timedelta(hours=rng.choice([2, 30])) if answered else None,
            "rating": rng.choice([None, "satisfied", "basically_satisfied", "dissatisfied"])
            if status == "closed"
            else None,
            "callback_state": rng.choice([None, "unreached", "solved", "unsolved"])
            if status in ("resolved", "closed")
            else None,
        }
        if status in ("resolved", "closed"):
            fields["resolved_at"] = created + timedelta(days=rng.choice([3, 12]))
        rows.append(tickets.row(county=county, created_at=created, **fields))
    tickets.add_rows(rows)
    db.session.flush()
    return rows


def test_the_counts_follow_inserts_updates_and_deletes(db, spread):
    assert _rollup(db) == _expected_counts(db)
    assert sum(_rollup(db).values()) > 150
    # A bulk UPDATE of many tickets, an ORM change of one, a move to another county and month, a deletion.
    db.session.execute(update(Ticket).where(Ticket.status == "resolved").values(status="closed", rating="satisfied"))
    db.session.execute(
        update(Ticket).where(Ticket.status == "in_progress", Ticket.id % 2 == 0).values(first_response_at=None)
    )
    ticket = db.session.scalar(select(Ticket).where(Ticket.status == "closed").order_by(Ticket.id).limit(1))
    ticket.status, ticket.resolved_at = "in_progress", None  # reopened
    ticket.jurisdiction_id = factories.jurisdiction("411622").id
    ticket.created_at = datetime(2023, 11, 30, 16, 0, tzinfo=UTC)  # December 2023 in Shanghai
    db.session.flush()
    db.session.execute(delete(Ticket).where(Ticket.status == "awaiting_enterprise"))
    db.session.flush()
    db.session.expire_all()
    assert _rollup(db) == _expected_counts(db)


def test_a_rebuild_counts_the_same(db, spread):
    before = _rollup(db)
    db.session.execute(delete(OutcomeCount))
    assert _rollup(db) == Counter()
    rebuild(db.session.connection())
    assert _rollup(db) == before == _expected_counts(db)


def _reports(viewer, group_bys, **scope):
    return {
        key: (asdict(report.overall), [(row.key, asdict(row.figures)) for row in report.rows])
        for key, report in resolution_reports(viewer, group_bys, as_of=AS_OF, **scope).items()
    }


def _statements(db):
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    return seen, record


PERIODS = [
    (None, None),  # the whole history: every month from the rollup
    (date(2024, 1, 1), date(2024, 7, 1)),  # whole months
    (date(2024, 2, 1), date(2024, 3, 1)),  # one month
    (date(2024, 1, 15), date(2024, 5, 20)),  # days at both ends
    (date(2024, 3, 1), None),
    (None, date(2024, 4, 10)),
]


@pytest.mark.parametrize(("date_from", "date_to"), PERIODS)
@pytest.mark.parametrize(
    "group_bys", [("jurisdiction", "department"), ("month",), (), ("department",), ("jurisdiction", "month")]
)
def test_a_report_through_the_rollup_is_the_report_from_the_tickets(
    db, spread, admin, monkeypatch, group_bys, date_from, date_to
):
    city = factories.jurisdiction("411600")
    scopes = [
        {"jurisdiction_id": city.id},
        {"jurisdiction_id": factories.jurisdiction("411602").id},
        {"jurisdiction_id": city.id, "department_id": spread[3]["department_id"] or spread[4]["department_id"]},
        {},
    ]
    for scope in scopes:
        seen, record = _statements(db)
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            through = _reports(admin, group_bys, date_from=date_from, date_to=date_to, **scope)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        assert any("ticket_outcome_counts" in s for s in seen), "the rollup was not read"
        with monkeypatch.context() as patch:
            patch.setattr(services, "_rollup_read", lambda *args: None)
            alone = _reports(admin, group_bys, date_from=date_from, date_to=date_to, **scope)
        assert through == alone, scope
        assert through[None][0]["total"] > 0


@pytest.mark.parametrize(
    "scope",
    [
        {"category": "policy", "date_from": date(2024, 1, 1), "date_to": date(2024, 7, 1)},
        {"group_bys": ("cadre",)},
        {"group_bys": ("week",)},
        {"date_from": date(2024, 3, 2), "date_to": date(2024, 3, 30)},  # no whole month
    ],
)
def test_what_the_rollup_does_not_count_is_read_from_the_tickets(db, spread, admin, scope):
    seen, record = _statements(db)
    scope = dict(scope)
    group_bys = scope.pop("group_bys", ("jurisdiction",))
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        resolution_reports(admin, group_bys, as_of=AS_OF, **scope)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert not any("ticket_outcome_counts" in s for s in seen)
