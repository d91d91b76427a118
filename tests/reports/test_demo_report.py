"""The demo world reads as PRODUCT.md §1 tells it: Zhoukou's 626 issues of 2024, completion above 99%.

Building the demo files ~700 tickets through the engine (about 20 s on SQLite), so this module holds
one test. `now` is set early in 2025 so that only two months of 2025 traffic are built on top of 2024.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from helpdesk.auth.models import User
from helpdesk.reports.services import resolution_report
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

    # The rest of the demo world of PRODUCT.md §9, from the same (expensive) build.
    from sqlalchemy import func

    from helpdesk.enterprises.credit_code import is_valid_credit_code
    from helpdesk.enterprises.models import Enterprise
    from helpdesk.seeding.demo import DEMO_PASSWORD
    from helpdesk.tickets.models import Ticket, TicketEvent

    assert db.session.scalar(select(func.count()).select_from(User).where(User.role == "cadre")) >= 1500
    enterprises = db.session.execute(select(Enterprise.credit_code, Enterprise.liaison_id)).all()
    assert len(enterprises) >= 3000
    assert all(is_valid_credit_code(code) and liaison is not None for code, liaison in enterprises)
    for email in DEMO_LOGINS.values():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None and user.check_password(DEMO_PASSWORD), email
    as_of = datetime(2025, 3, 20, 2, 0, tzinfo=UTC)
    colour = Ticket.warning_sql(as_of)
    colours = set(db.session.scalars(select(colour).where(Ticket.status.in_(["assigned", "in_progress"]))))
    assert colours >= {"green", "yellow", "orange", "red"}
    assert db.session.scalar(select(func.count()).select_from(Ticket).where(Ticket.status == "awaiting_enterprise"))
    # Every demo ticket carries a real history that replays to its status.
    events: dict[int, list[TicketEvent]] = {}
    for event in db.session.scalars(select(TicketEvent).order_by(TicketEvent.id)):
        events.setdefault(event.ticket_id, []).append(event)
    for ticket_id, status in db.session.execute(select(Ticket.id, Ticket.status)):
        chain = events[ticket_id]
        assert chain[0].action == "file" and chain[0].from_status is None
        assert all(a.to_status == b.from_status for a, b in zip(chain, chain[1:], strict=False))
        assert chain[-1].to_status == status
