"""The demo's story in figures, read back from the database with the report service: what `flask seed --demo`
prints after building, what the README quotes (for a build on README_DAY) and what the demo tests check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select

from helpdesk.auth.models import User
from helpdesk.calendar.workdays import SHANGHAI
from helpdesk.extensions import db
from helpdesk.reports.charts import percent
from helpdesk.reports.dashboard import month_start
from helpdesk.reports.figures import Figures, Row
from helpdesk.reports.services import resolution_report
from helpdesk.tickets.models import Status, Ticket

README_DAY = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Zhoukou; the README's figures are of this build


@dataclass
class DemoStory:
    built_on: date
    tickets: int
    year_2024: Figures
    last_year: int
    last_year_figures: Figures
    last_year_counties: list[Row]
    this_year: int
    this_year_figures: Figures
    this_year_counties: list[Row]
    months: list[Row]  # the last twelve months, by filing month
    open_now: dict[str, int]  # green, yellow, orange, red, awaiting
    cadre_newest_resolved: datetime | None

    def summary(self) -> str:
        """A few lines for the console after a build."""
        low, high = _county_range(self.this_year_counties)
        colours = ", ".join(f"{n} {colour}" for colour, n in self.open_now.items())
        return "\n".join(
            [
                f"Demo story as of {self.built_on}: {self.tickets} tickets.",
                f"  2024: {_year(self.year_2024)}; {self.last_year}: {_year(self.last_year_figures)}.",
                f"  {self.this_year} so far: {_year(self.this_year_figures)}, counties {low} to {high}.",
                f"  Open now: {colours}.",
            ]
        )

    def readme_text(self) -> str:
        """The README's sentences about the demo's figures (tests/reports/test_demo_report.py checks them)."""
        low, high = _county_range(self.this_year_counties)
        behind = [row.label for row in self.last_year_counties if row.figures.meets_target is False]
        o = self.open_now
        return (
            f"Built on {self.built_on}, the demo holds {self.tickets:,} tickets. {self.last_year}: "
            f"{_year(self.last_year_figures)}, every county on target but {' and '.join(behind) or 'none'} "
            f"(where the hard cases are). {self.this_year} so far: {_year(self.this_year_figures)}, the counties "
            f"between {low} and {high}, the last weeks' issues still open. Open today: {o['green']} green, "
            f"{o['yellow']} yellow, {o['orange']} orange, {o['red']} red, {o['awaiting']} awaiting the enterprise."
        )


def _year(figures: Figures) -> str:
    return (
        f"{figures.total} issues, {figures.completed} of {figures.eligible} completed "
        f"({percent(figures.completion_rate)})"
    )


def _county_range(rows: list[Row]) -> tuple[str, str]:
    rates = [row.figures.completion_rate for row in rows if row.figures.completion_rate is not None]
    return percent(min(rates)), percent(max(rates))


def _city_supervisor() -> User:
    from helpdesk.seeding.demo import DEMO_LOGINS

    return db.session.scalar(select(User).where(User.email == DEMO_LOGINS["city_supervisor"]))


def demo_story(now: datetime) -> DemoStory:
    """The figures of the demo world as of `now`, for Zhoukou (the city supervisor's view)."""
    from helpdesk.seeding.demo import DEMO_LOGINS

    viewer = _city_supervisor()
    today = now.astimezone(SHANGHAI).date()
    this_year, last_year = today.year, today.year - 1

    def report(group_by=None, first=None, end=None):
        return resolution_report(viewer, group_by=group_by, date_from=first, date_to=end, as_of=now)

    months_from = month_start(today, 11)
    last = report("jurisdiction", date(last_year, 1, 1), date(this_year, 1, 1))
    current = report("jurisdiction", date(this_year, 1, 1), None)
    cadre = db.session.scalar(select(User.id).where(User.email == DEMO_LOGINS["cadre"]))
    newest = db.session.scalar(
        select(Ticket.resolved_at)
        .where(Ticket.assignee_id == cadre, Ticket.status.in_([Status.RESOLVED.value, Status.CLOSED.value]))
        .order_by(Ticket.resolved_at.desc())
        .limit(1)
    )
    everything = report()
    return DemoStory(
        built_on=today,
        tickets=everything.overall.total,
        year_2024=report(None, date(2024, 1, 1), date(2025, 1, 1)).overall,
        last_year=last_year,
        last_year_figures=last.overall,
        last_year_counties=last.rows,
        this_year=this_year,
        this_year_figures=current.overall,
        this_year_counties=current.rows,
        months=report("month", months_from, None).rows,
        open_now=everything.overall.open_by_warning,
        cadre_newest_resolved=newest,
    )
