"""The demo world of PRODUCT.md §9, built through the ticket engine with a fixed random seed.

1,500 cadres across Zhoukou's departments, 3,000 enterprises paired with them, the 626 issues of
2024 (99.2% completed: Zhoukou's year), and since then, up to the day the demo is built, about as
many a year with the seasons of a real year (seeding/demo_flow.py): months a little above and a
little below the target, the year so far on track with the last weeks' issues still open, two
counties a little behind the others where the hard cases are, open issues of every colour, and the
demo cadre's own queue and recent work. Every ticket is filed and worked with the same service
functions the pages and the API call, with back-dated clocks, so the history and the reports read
like any other data; what would happen after `now` does not happen (the ticket stays where it is).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from tqdm import tqdm

from helpdesk.auth.models import Role, User
from helpdesk.calendar.services import get_calendar
from helpdesk.calendar.workdays import SHANGHAI, WorkCalendar
from helpdesk.common_issues.indexing import reindex
from helpdesk.errors import DomainError
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Category, Department, Jurisdiction
from helpdesk.seeding.demo_callbacks import call_back
from helpdesk.seeding.demo_flow import at, monthly_flow, spread
from helpdesk.seeding.demo_text import NOTES, ticket_text
from helpdesk.seeding.people import Logins, build_people
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.services import file_ticket, perform_action

SEED = 20240626
DEMO_PASSWORD = "demo-2024"
CADRES = 1500
ENTERPRISES = 3000
TICKETS_2024 = 626
STUBBORN_2024 = 5  # the hard cases that keep 2024 just above 99% (621 of 626)
STUBBORN_PER_YEAR = 4  # since 2025, prorated for the year so far
TRAILING = ("411625", "411627")  # 郸城县, 太康县: where the hard cases are, a little behind the others
# How much each county files, relative to the others: 川汇区 is the city centre, 项城市 a county-level city.
COUNTY_WEIGHTS = {
    "411602": 1.8,
    "411681": 1.3,
    "411628": 1.15,
    "411625": 1.05,
    "411627": 1.0,
    "411623": 1.0,
    "411624": 0.95,
    "411603": 0.95,
    "411622": 0.85,
    "411621": 0.8,
}
DEMO_COMPANY_EVERY = 8  # one 川汇区 filing in eight is the demo company's land issue (the demo cadre's)
COMMIT_EVERY = 100

DEMO_LOGINS = {
    "admin": "admin@demo.cn",
    "province_supervisor": "province@demo.cn",
    "city_supervisor": "zhoukou@demo.cn",
    "county_supervisor": "chuanhui@demo.cn",
    "cadre": "cadre@demo.cn",
    "enterprise": "enterprise@demo.cn",
}
LOGINS = Logins(
    domain="demo.cn",
    cadre=DEMO_LOGINS["cadre"],
    enterprise=DEMO_LOGINS["enterprise"],
    admin=DEMO_LOGINS["admin"],
    supervisors={
        "410000": (DEMO_LOGINS["province_supervisor"], "省督查室"),
        "411600": (DEMO_LOGINS["city_supervisor"], "周口市督查室"),
        "411602": (DEMO_LOGINS["county_supervisor"], "川汇区督查室"),
    },
    locales={DEMO_LOGINS["province_supervisor"]: "en"},
)
# The demo cadre's open queue: land issues (15 working days) of the demo company, by working days since
# filing: green, yellow (due today), orange (past due), red (three working days past due).
QUEUE_AGES = (1, 15, 16, 19)


@dataclass
class DemoSummary:
    cadres: int
    enterprises: int
    tickets: int
    planned: int = 0
    skipped: bool = False

    def __str__(self) -> str:
        if self.skipped:
            return "Demo data: the database already has users or tickets; left as it is."
        return (
            f"Demo data: {self.cadres} cadres, {self.enterprises} enterprises, {self.tickets} tickets. "
            f"Log in as {', '.join(DEMO_LOGINS.values())} with password {DEMO_PASSWORD}."
        )


@dataclass
class Filing:
    """One issue of the plan: when, by whom, what, and which story it plays."""

    when: datetime
    kind: str  # "flow", "stubborn", "queue", "awaiting", "to_confirm"
    enterprise_id: int
    category: str


class NotYet(Exception):
    """The next step of a ticket's life would come after `now`: the ticket stays where it is."""


def working_days_before(cal: WorkCalendar, day: date, n: int) -> date:
    """The working day n working days before `day` (n=0: `day` itself if working)."""
    while not cal.is_workday(day):
        day -= timedelta(days=1)
    while n > 0:
        day -= timedelta(days=1)
        if cal.is_workday(day):
            n -= 1
    return day


class DemoBuilder:
    """Plans the demo's issues, then files and works each one through the engine, up to `now`.

    It keeps ids, never ORM objects, between tickets, and empties the session as it commits: the
    engine's bulk UPDATEs of open counters look through every object the session holds.
    """

    def __init__(self, rng: random.Random, now: datetime):
        self.rng = rng
        self.callback_rng = random.Random(SEED + 1)
        self.now = now
        self.today = now.astimezone(SHANGHAI).date()
        self.cal = get_calendar()
        self.codes = {j.id: j.code for j in db.session.scalars(select(Jurisdiction))}
        self.categories = list(db.session.scalars(select(Category.code).order_by(Category.position)))
        self.tickets = 0

    # -- people ------------------------------------------------------------------------------
    def build_people(self) -> None:
        people = build_people(
            self.rng, LOGINS, password=DEMO_PASSWORD, cadres=CADRES, enterprises=ENTERPRISES, provincial_cadres=2
        )
        self.cadres_by_jurisdiction = people.cadres_by_jurisdiction
        self.enterprise_users = people.enterprise_users
        self.demo_company = people.enterprises[0][0]
        self.county_of = {eid: county for eid, county, _liaison in people.enterprises}
        self.by_county: dict[int, list[int]] = {}
        for eid, county, _liaison in people.enterprises:
            self.by_county.setdefault(county, []).append(eid)
        self.counties = sorted(self.by_county)
        weights = {c: COUNTY_WEIGHTS.get(self.codes[c], 1.0) for c in self.counties}
        self.county_share = {c: w / sum(weights.values()) for c, w in weights.items()}
        self.filed_in = dict.fromkeys(self.counties, 0)
        self.supervisors = dict(
            db.session.execute(
                select(User.jurisdiction_id, User.id).where(
                    User.role == Role.SUPERVISOR, User.email.like("supervisor.%")
                )
            ).all()
        )

    # -- the plan ----------------------------------------------------------------------------
    def some_enterprise(self) -> int:
        """A company of the county furthest behind its share of the filings (give or take a couple), so
        that each county's volume follows its weight."""
        n = sum(self.filed_in.values()) + 1
        county = max(self.counties, key=lambda c: self.county_share[c] * n - self.filed_in[c] + 2 * self.rng.random())
        self.filed_in[county] += 1
        return self.rng.choice(self.by_county[county])

    def flow(self, moments: list[datetime]) -> list[Filing]:
        return [Filing(when, "flow", self.some_enterprise(), self.rng.choice(self.categories)) for when in moments]

    def make_stubborn(self, filings: list[Filing], count: int, before: datetime) -> None:
        """`count` of the filings before `before` in the trailing counties become the year's hard cases."""
        for i in range(count):  # shared out between the trailing counties
            county = TRAILING[i % len(TRAILING)]
            candidates = [
                f
                for f in filings
                if f.kind == "flow" and f.when < before and self.codes[self.county_of[f.enterprise_id]] == county
            ]
            if candidates:
                self.rng.choice(candidates).kind = "stubborn"

    def plan(self) -> list[Filing]:
        """Every issue the demo files, in filing order (the progress bar's total)."""
        rng, cal = self.rng, self.cal
        plan = self.flow(spread(rng, cal, date(2024, 1, 1), date(2025, 1, 1), TICKETS_2024))
        self.make_stubborn(plan, STUBBORN_2024, at(date(2024, 12, 1), 0))
        since = self.flow(monthly_flow(rng, cal, date(2025, 1, 1), self.now))
        cutoff = at(working_days_before(cal, self.today, 30), 0)  # older than any open issue of the flow
        for year in range(2025, self.today.year + 1):
            of_year = [f for f in since if f.when.astimezone(SHANGHAI).year == year]
            elapsed = min(1.0, (min(self.today, date(year, 12, 31)) - date(year, 1, 1)).days / 365)
            self.make_stubborn(of_year, round(STUBBORN_PER_YEAR * elapsed), cutoff)
        chuanhui = [f for f in since if self.codes[self.county_of[f.enterprise_id]] == "411602" and f.kind == "flow"]
        for filing in chuanhui[::DEMO_COMPANY_EVERY]:
            filing.enterprise_id, filing.category = self.demo_company, "land"
        plan += since
        plan += self.todays_stories()
        plan.sort(key=lambda f: f.when)
        return plan

    def todays_stories(self) -> list[Filing]:
        """The demo cadre's queue of every colour, issues awaiting the enterprise's documents, and a resolved
        one for the demo company to confirm (the demo cadre's newest resolution)."""

        def when(age: int, hour: float) -> datetime:
            return min(at(working_days_before(self.cal, self.today, age), hour), self.now - timedelta(minutes=30))

        stories = [Filing(when(age, 10.0), "queue", self.demo_company, "land") for age in QUEUE_AGES]
        stories.append(Filing(when(3, 9.5), "awaiting", self.demo_company, "policy"))
        stories.append(Filing(when(3, 10.5), "awaiting", self.some_enterprise(), "approval"))
        stories.append(Filing(when(6, 9.0), "to_confirm", self.demo_company, "land"))
        return stories

    # -- filing and acting -------------------------------------------------------------------
    def user(self, user_id: int) -> User:
        return db.session.get(User, user_id)

    def supervisor_for(self, ticket: Ticket) -> User:
        return self.user(self.supervisors[ticket.jurisdiction_id])

    def company_user(self, ticket: Ticket) -> User:
        return self.user(self.enterprise_users[ticket.enterprise_id])

    def act(self, actor: User | None, ticket: Ticket, action: str, when: datetime, **kwargs) -> None:
        if when >= self.now:
            raise NotYet
        perform_action(actor, ticket, action, now=when, **kwargs)

    def later(self, moment: datetime, working_days: int, hour: float | None = None) -> datetime:
        day = self.cal.add_working_days(moment.astimezone(SHANGHAI).date(), working_days)
        return max(at(day, hour if hour is not None else self.rng.uniform(9, 17.5)), moment + timedelta(minutes=20))

    def file(self, filing: Filing) -> Ticket:
        title, description = ticket_text(self.rng, filing.category)
        ticket = file_ticket(
            self.user(self.enterprise_users[filing.enterprise_id]),
            category=filing.category,
            title=title,
            description=description,
            priority="urgent" if self.rng.random() < 0.1 else "normal",
            enterprise_id=filing.enterprise_id,
            now=filing.when,
        )
        self.tickets += 1
        if ticket.assignee_id is None:  # no cadre where it was routed: the supervisor assigns one
            cadre = self.rng.choice(self.cadres_by_jurisdiction[ticket.handling_jurisdiction_id])
            self.act(
                self.supervisor_for(ticket), ticket, "assign", filing.when + timedelta(minutes=30), assignee_id=cadre
            )
        return ticket

    def departments_near(self, ticket: Ticket) -> list[Department]:
        return [
            d
            for d in ticket.handling_jurisdiction.departments
            if d.id != ticket.department_id and self.cadres_by_jurisdiction.get(d.jurisdiction_id)
        ]

    # -- a ticket's life ---------------------------------------------------------------------
    def first_response(self, ticket: Ticket, filed: datetime) -> datetime:
        """Transfer or escalate now and then, then accept: within hours, a few only days later."""
        rng = self.rng
        clock = filed + timedelta(hours=rng.uniform(0.5, 6))
        if rng.random() < 0.05 and (targets := self.departments_near(ticket)):
            self.act(
                ticket.assignee, ticket, "transfer", clock, department_id=rng.choice(targets).id, note=NOTES["transfer"]
            )
            clock += timedelta(hours=1)
        elif rng.random() < 0.03 and ticket.handling_jurisdiction.parent is not None:
            self.act(ticket.assignee, ticket, "escalate", clock, note=NOTES["escalate"])
            clock += timedelta(hours=1)
        if rng.random() < 0.06:  # a late first response: the ticket turns yellow for it
            clock = self.later(clock, 2)
        self.act(ticket.assignee, ticket, "accept", clock)
        return clock

    def resolution_days(self, ticket: Ticket, late: bool) -> int:
        """Working days from acceptance to resolution: mostly a few, rarely near the limit; late ones past it."""
        limit = ticket.category.resolution_days
        if late:
            return limit + self.rng.randint(1, 4)
        return 1 + min(limit - 2, int(self.rng.expovariate(1 / 2.5)))

    def work(self, ticket: Ticket, filed: datetime, late: bool) -> None:
        """Accept, sometimes ask, sometimes get urged, resolve, then confirm, reopen or time out; a few are
        declined or withdrawn."""
        rng = self.rng
        company = self.company_user(ticket)
        roll = rng.random()
        if roll < 0.008:
            self.act(self.supervisor_for(ticket), ticket, "decline", filed + timedelta(hours=3), note=NOTES["decline"])
            return
        clock = self.first_response(ticket, filed)
        if roll < 0.013:
            self.act(company, ticket, "withdraw", self.later(clock, 1), note=NOTES["withdraw"])
            return
        if rng.random() < 0.08:
            asked = self.later(clock, 1)
            self.act(ticket.assignee, ticket, "request_info", asked, note=NOTES["request_info"])
            answered = self.later(asked, rng.choice((0, 1, 2)))
            self.act(company, ticket, "provide_info", answered, note=NOTES["provide_info"])
            clock = answered + timedelta(minutes=30)
        days = self.resolution_days(ticket, late)
        if days >= 2 and (late or rng.random() < 0.05):
            self.act(self.supervisor_for(ticket), ticket, "urge", self.later(clock, days - 1, hour=9.0))
        resolved = self.later(clock, days)
        self.act(ticket.assignee, ticket, "resolve", resolved, note=NOTES["resolve"])
        self.close(ticket, company, resolved)

    def close(self, ticket: Ticket, company: User, resolved: datetime) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.04:
            self.act(company, ticket, "reopen", self.later(resolved, 1), note=NOTES["reopen"])
            resolved = self.later(resolved, rng.randint(2, 4))
            self.act(ticket.assignee, ticket, "resolve", resolved, note=NOTES["resolve_again"])
        if roll < 0.90:
            rating = rng.choices(("satisfied", "basically_satisfied", "dissatisfied"), (85, 12, 3))[0]
            note = NOTES["thanks"] if rating == "satisfied" else None
            closed = self.later(resolved, rng.randint(0, 3))
            self.act(company, ticket, "confirm", closed, rating=rating, note=note)
        else:
            closed = self.later(resolved, 6, hour=8.0)
            self.act(None, ticket, "auto_close", closed)
        call_back(self, ticket, closed)

    def work_stubborn(self, ticket: Ticket, filed: datetime) -> None:
        """A hard case: accepted, urged, urged again, still open."""
        limit = ticket.category.resolution_days
        self.act(ticket.assignee, ticket, "accept", filed + timedelta(hours=3))
        self.act(self.supervisor_for(ticket), ticket, "urge", self.later(filed, limit + 1, hour=9.0))
        self.act(self.supervisor_for(ticket), ticket, "urge", self.later(filed, limit + 10, hour=9.0))

    def work_story(self, ticket: Ticket, filing: Filing) -> None:
        filed = filing.when
        self.act(ticket.assignee, ticket, "accept", min(filed + timedelta(hours=1), self.now - timedelta(minutes=1)))
        if filing.kind == "awaiting":
            self.act(ticket.assignee, ticket, "request_info", filed + timedelta(hours=2), note=NOTES["documents"])
        elif filing.kind == "to_confirm":
            self.act(ticket.assignee, ticket, "resolve", self.later(filed, 4, hour=15.0), note=NOTES["resolve"])

    def build(self, plan: list[Filing], bar) -> None:
        trailing_late = 0.12
        for number, filing in enumerate(plan, start=1):
            ticket = self.file(filing)
            try:
                if filing.kind == "flow":
                    slow = self.codes[self.county_of[filing.enterprise_id]] in TRAILING
                    self.work(ticket, filing.when, late=self.rng.random() < (trailing_late if slow else 0.05))
                elif filing.kind == "stubborn":
                    self.work_stubborn(ticket, filing.when)
                else:
                    self.work_story(ticket, filing)
            except NotYet:
                pass
            bar.update(1)
            if number % COMMIT_EVERY == 0:
                db.session.commit()
                db.session.expunge_all()
        db.session.commit()


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(User)) and not db.session.scalar(
        select(func.count()).select_from(Ticket)
    )


def build_demo(only_if_empty: bool = False, progress: bool = False, now: datetime | None = None) -> DemoSummary:
    """Build the demo world as of `now` and commit it (deterministic: the same seed and `now` give the same
    world). `now` must be in 2025 or later: 2024 is Zhoukou's year, complete."""
    if only_if_empty and not database_is_empty():
        return DemoSummary(0, 0, 0, skipped=True)
    now = now or datetime.now(UTC)
    if now < datetime(2025, 2, 1, tzinfo=UTC):
        raise ValueError("The demo is built as of February 2025 or later.")
    rng = random.Random(SEED)
    external = current_app.config.get("NOTIFY_EXTERNAL", True)
    current_app.config["NOTIFY_EXTERNAL"] = False  # nobody should get mail or SMS about back-dated demo tickets
    try:
        builder = DemoBuilder(rng, now)
        builder.build_people()
        db.session.commit()
        plan = builder.plan()
        with tqdm(total=len(plan), desc="demo tickets", unit="ticket", disable=not progress) as bar:
            builder.build(plan, bar)
        reindex()  # the similarity index, so that the demo has similar tickets and candidate groups at once
    except DomainError:
        db.session.rollback()
        raise
    finally:
        current_app.config["NOTIFY_EXTERNAL"] = external
    return DemoSummary(CADRES, ENTERPRISES, builder.tickets, planned=len(plan))
