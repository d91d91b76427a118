"""The demo world tells Zhoukou's story (issue 12, point 5), built for two fixed days:

- 2026-12-01, the README's day: the README quotes exactly what this build holds, and the progress bar
  ends at the real total;
- 2027-06-15, a year the holiday package does not know yet (weekends only), half-way through.

2024 stays Zhoukou's year (626 issues, above 99%); since then the flow has seasons, months a little above
and a little below the target, the year so far on track (92% or more, the last weeks' issues still open),
no county far behind, two just below the target last year, open issues of every colour, and the demo
cadre's recent work recent. Each build files ~1,900 tickets through the engine (about a minute of CPU on
a busy shared machine, as the old 1,335-ticket demo took there), so there is one test per day.

Early in a year the story cannot hold: on 2027-03-15 the year so far has about 100 issues, and the dozen
filed in the last two weeks are open (82.7%); from about June the year so far is large enough.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from helpdesk.auth.models import User
from helpdesk.enterprises.credit_code import is_valid_credit_code
from helpdesk.enterprises.models import Enterprise
from helpdesk.seeding.demo import DEMO_LOGINS, DEMO_PASSWORD, TRAILING, build_demo
from helpdesk.seeding.demo_story import README_DAY, demo_story
from helpdesk.tickets.models import Ticket, TicketEvent
from tests import factories

README = Path(__file__).resolve().parents[2] / "README.md"
TARGET = 0.99


def assert_the_story(db, now: datetime) -> None:
    story = demo_story(now)

    # 2024 is Zhoukou's year: 626 issues, above 99%, in the ten counties.
    assert story.year_2024.total == 626
    assert story.year_2024.completion_rate >= TARGET and story.year_2024.meets_target is True

    # Last year: about Zhoukou's volume, on target; most counties on target, the trailing two just below.
    last = story.last_year_figures
    assert 560 <= last.total <= 700 and last.completion_rate >= TARGET
    below = {row.label for row in story.last_year_counties if row.figures.meets_target is False}
    assert 1 <= len(below) <= 2 and len(story.last_year_counties) == 10
    assert all(row.figures.completion_rate >= 0.95 for row in story.last_year_counties)
    trailing = {factories.jurisdiction(code).name for code in TRAILING}
    assert below <= trailing

    # The year so far: on track with the last weeks open; every county within a few points of the city,
    # one or two a little behind the others.
    city = story.this_year_figures.completion_rate
    assert 0.92 <= city < 1
    rates = [row.figures.completion_rate for row in story.this_year_counties]
    assert all(rate >= city - 0.06 for rate in rates), rates
    assert min(rates) <= city - 0.02 and max(rates) >= TARGET

    # Months a little above and a little below the target (the last two are still being worked).
    finished = [row.figures.completion_rate for row in story.months[:-2] if row.figures.total]
    assert any(rate >= TARGET for rate in finished) and any(rate < TARGET for rate in finished)
    assert all(rate >= 0.95 for rate in finished)
    latest = [row.figures.completion_rate for row in story.months[-2:] if row.figures.total]
    assert min(latest) < TARGET  # the latest issues are not all done yet

    # Seasons: the ordinary volume, with the lull around the Spring Festival in January or February.
    volumes = {row.key: row.figures.total for row in story.months}
    assert 35 <= sum(volumes.values()) / len(volumes) <= 65

    # Ratings mostly satisfied; some first responses late.
    assert 0.9 <= last.satisfaction_rate < 1
    assert 0.85 <= last.response_rate < 1

    # 回访: supervisors called back the auto-closed tickets and a sample of the rest; a few were not really
    # solved and reopened.
    assert 0.05 <= story.this_year_figures.callback_rate < 1
    assert 0.8 <= story.this_year_figures.verified_solved_rate < 1

    # Open issues of every colour, and some awaiting the enterprise; the last weeks' issues are among them.
    assert all(story.open_now[colour] for colour in ("green", "yellow", "orange", "red", "awaiting")), story.open_now
    recent = now - timedelta(days=21)
    colour = Ticket.warning_sql(now)
    open_recent = db.session.scalar(
        select(func.count()).select_from(Ticket).where(Ticket.created_at >= recent, colour.is_not(None))
    )
    assert open_recent >= 5

    # The demo cadre: a queue of every colour and work of the last weeks.
    cadre = db.session.scalar(select(User).where(User.email == DEMO_LOGINS["cadre"]))
    mine = set(db.session.scalars(select(colour).where(Ticket.assignee_id == cadre.id, colour.is_not(None))))
    assert mine >= {"green", "yellow", "orange", "red"}
    assert story.cadre_newest_resolved is not None
    assert now - timedelta(days=21) <= story.cadre_newest_resolved.replace(tzinfo=UTC) <= now


def assert_the_world(db) -> None:
    """PRODUCT.md §9's demo world: its people, their logins, and a real history for every ticket."""
    assert db.session.scalar(select(func.count()).select_from(User).where(User.role == "cadre")) >= 1500
    enterprises = db.session.execute(select(Enterprise.credit_code, Enterprise.liaison_id)).all()
    assert len(enterprises) >= 3000
    assert all(is_valid_credit_code(code) and liaison is not None for code, liaison in enterprises)
    for email in DEMO_LOGINS.values():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None and user.check_password(DEMO_PASSWORD), email
    events: dict[int, list[TicketEvent]] = {}
    for event in db.session.scalars(select(TicketEvent).order_by(TicketEvent.id)):
        events.setdefault(event.ticket_id, []).append(event)
    for ticket_id, status in db.session.execute(select(Ticket.id, Ticket.status)):
        chain = events[ticket_id]
        assert chain[0].action == "file" and chain[0].from_status is None
        assert all(a.to_status == b.from_status for a, b in zip(chain, chain[1:], strict=False))
        assert chain[-1].to_status == status


def test_the_demo_built_on_the_readme_day(db, capsys):
    summary = build_demo(now=README_DAY, progress=True)
    assert summary.tickets == summary.planned
    bar = capsys.readouterr().err
    assert f"{summary.tickets}/{summary.tickets}" in bar.split("\r")[-1]  # the bar ends at the real total
    assert f"{summary.planned - 1}/{summary.planned}" not in bar.split("\r")[-1]
    assert_the_story(db, README_DAY)
    assert_the_world(db)

    # Common issues (issue 14): the demo is indexed at the end, so a supervisor finds candidate groups at once.
    from helpdesk.common_issues.queries import candidate_groups_for

    assert db.session.scalar(select(func.count()).where(Ticket.similarity_indexed_at.is_(None))) == 0
    admin = db.session.scalar(select(User).where(User.role == "admin").limit(1))
    assert candidate_groups_for(admin)

    # The README's figures are this build's.
    story = demo_story(README_DAY)
    readme = README.read_text(encoding="utf-8")
    assert story.readme_text() in " ".join(readme.split()), story.readme_text()
    figures_2024 = story.year_2024
    assert (
        f"the {figures_2024.total} issues of 2024 ({figures_2024.completed} of {figures_2024.eligible} "
        f"completed: {figures_2024.completion_rate * 100:.1f}%)" in " ".join(readme.split())
    )
    assert re.search(rf"\b{summary.tickets:,} tickets\b", " ".join(readme.split()))


@pytest.mark.parametrize("now", [datetime(2027, 6, 15, 2, 0, tzinfo=UTC)])
def test_the_demo_built_in_a_year_the_holiday_package_does_not_know(db, now):
    summary = build_demo(now=now)
    assert summary.tickets == summary.planned
    assert_the_story(db, now)
