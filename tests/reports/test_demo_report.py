"""The demo world reads as PRODUCT.md §1 tells it: Zhoukou's 626 issues of 2024, completion above 99%.

Building the demo files ~700 tickets through the engine (about 20 s on SQLite), so this module holds
one test. `now` is set early in 2025 so that only two months of 2025 traffic are built on top of 2024.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from helpdesk.auth.models import User
from helpdesk.reports.service import resolution_report
from helpdesk.seeding.demo import DEMO_LOGINS, build_demo
from tests import factories


def test_demo_2024_report_for_zhoukou(db):
    build_demo(now=datetime(2025, 3, 20, 2, 0, tzinfo=UTC))
    city_supervisor = db.session.scalar(select(User).where(User.email == DEMO_LOGINS["city_supervisor"]))
    zhoukou = factories.jurisdiction("411600")
    report = resolution_report(
        city_supervisor,
        group_by="jurisdiction",
        jurisdiction_id=zhoukou.id,
        date_from=date(2024, 1, 1),
        date_to=date(2025, 1, 1),
    )
    assert report.overall.total == 626
    assert report.overall.completion_rate > 0.99
    assert report.overall.meets_target is True
    assert len(report.rows) == 10 and sum(row.figures.total for row in report.rows) == 626
