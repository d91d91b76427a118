"""The demo world of PRODUCT.md §9, built through the ticket engine with a fixed random seed.

1,500 cadres across Zhoukou's departments, 3,000 enterprises paired with them, the 626 issues of
2024 (621 completed: 99.2%), a steady flow since then, and open issues today in every colour.
Every ticket is filed and worked with the same service functions the pages and the API call,
with back-dated clocks, so the history and the reports read like any other data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select
from tqdm import tqdm

from helpdesk.auth.models import Role, User
from helpdesk.calendar.services import get_calendar
from helpdesk.calendar.workdays import SHANGHAI, WorkCalendar
from helpdesk.errors import DomainError
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Category, Department, Jurisdiction
from helpdesk.seeding.people import Logins, build_people
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.services import file_ticket, perform_action

SEED = 20240626
DEMO_PASSWORD = "demo-2024"
CADRES = 1500
ENTERPRISES = 3000
TICKETS_2024 = 626
OPEN_FROM_2024 = 5  # the stubborn few that keep 2024 just above 99%
MONTHLY_SINCE_2025 = 30

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

TITLES = {
    "policy": ("{}减免政策未兑现", "企业按规定应享受的{}优惠至今未落实，请协调相关部门兑现。"),
    "land": ("扩建项目{}用地指标", "企业扩建生产线需新增用地，{}指标和供地进度需要协调。"),
    "utilities": ("{}供应不稳定", "厂区{}供应频繁中断，影响连续生产，请尽快解决。"),
    "finance": ("{}融资需求", "企业需要{}流动资金贷款，希望对接银行和担保机构。"),
    "labor": ("招聘{}技术工人", "新生产线投产在即，急需{}名熟练技术工人。"),
    "approval": ("{}审批进度", "项目{}手续已提交多时，审批进度缓慢，请协调加快。"),
    "infrastructure": ("厂区周边{}建设", "厂区周边{}尚未建成，货车通行困难。"),
    "technology": ("{}技术攻关", "企业在{}方面需要高校和科研院所的技术支持。"),
    "market": ("{}市场开拓", "希望政府帮助对接{}渠道，拓展产品销路。"),
    "legal": ("{}合同纠纷", "与合作方的{}合同纠纷久拖未决，请求法律指导。"),
    "tax": ("{}退税办理", "企业{}退税申请尚未办结，请协调税务部门。"),
    "environment": ("{}环评手续", "技改项目的{}环评手续需要指导。"),
    "other": ("{}相关问题", "企业在{}方面遇到困难，请帮助协调。"),
}
FILLERS = [
    "增值税",
    "研发费用",
    "电力",
    "天然气",
    "供水",
    "一千万元",
    "五十",
    "施工许可",
    "道路",
    "电商",
    "出口",
    "设备",
]


@dataclass
class DemoSummary:
    cadres: int
    enterprises: int
    tickets: int
    skipped: bool = False

    def __str__(self) -> str:
        if self.skipped:
            return "Demo data: the database already has users or tickets; left as it is."
        return (
            f"Demo data: {self.cadres} cadres, {self.enterprises} enterprises, {self.tickets} tickets. "
            f"Log in as {', '.join(DEMO_LOGINS.values())} with password {DEMO_PASSWORD}."
        )


def at(day: date, hour: float) -> datetime:
    """`hour` o'clock local on `day`, as aware UTC."""
    local = datetime.combine(day, time(0), tzinfo=SHANGHAI) + timedelta(hours=hour)
    return local.astimezone(UTC)


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
    def __init__(self, rng: random.Random, progress: bool):
        self.rng = rng
        self.progress = progress
        self.cal = get_calendar()
        self.jurisdictions = {j.code: j for j in db.session.scalars(select(Jurisdiction))}
        self.categories = list(db.session.scalars(select(Category).order_by(Category.position)))
        self.supervisors: dict[int, User] = {}
        self.enterprise_users: dict[int, User] = {}
        self.tickets = 0

    # -- people ------------------------------------------------------------------------------
    def build_people(self) -> None:
        people = build_people(
            self.rng,
            LOGINS,
            password=DEMO_PASSWORD,
            cadres=CADRES,
            enterprises=ENTERPRISES,
            provincial_cadres=2,
        )
        self.cadres_by_jurisdiction = people.cadres_by_jurisdiction
        self.demo_cadre_id = people.login_cadre_id
        self.enterprise_ids = [eid for eid, _county, _liaison in people.enterprises]
        self.enterprise_users = {
            u.enterprise_id: u for u in db.session.scalars(select(User).where(User.role == Role.ENTERPRISE))
        }
        self.supervisors = {
            u.jurisdiction_id: u
            for u in db.session.scalars(
                select(User).where(User.role == Role.SUPERVISOR, User.email.like("supervisor.%"))
            )
        }

    # -- tickets -----------------------------------------------------------------------------
    def text(self, category: Category) -> tuple[str, str]:
        title, body = TITLES[category.code]
        filler = self.rng.choice(FILLERS)
        return title.format(filler), body.format(filler)

    def file(self, when: datetime, enterprise_id: int | None = None, category: Category | None = None) -> Ticket:
        enterprise_id = enterprise_id or self.rng.choice(self.enterprise_ids)
        category = category or self.rng.choice(self.categories)
        title, description = self.text(category)
        actor = self.enterprise_users[enterprise_id]
        ticket = file_ticket(
            actor,
            category=category.code,
            title=title,
            description=description,
            priority="urgent" if self.rng.random() < 0.1 else "normal",
            enterprise_id=enterprise_id,
            now=when,
        )
        self.tickets += 1
        if ticket.assignee_id is None:
            self.act(
                self.supervisor_for(ticket),
                ticket,
                "assign",
                when + timedelta(minutes=30),
                assignee_id=self.rng.choice(self.cadres_by_jurisdiction[ticket.handling_jurisdiction_id]),
            )
        return ticket

    def supervisor_for(self, ticket: Ticket) -> User:
        return self.supervisors[ticket.jurisdiction_id]

    def act(self, actor: User | None, ticket: Ticket, action: str, when: datetime, **kwargs) -> None:
        perform_action(actor, ticket, action, now=when, **kwargs)

    def later(self, moment: datetime, working_days: int, hour: float | None = None) -> datetime:
        day = self.cal.add_working_days(moment.astimezone(SHANGHAI).date(), working_days)
        return max(at(day, hour if hour is not None else self.rng.uniform(9, 17.5)), moment + timedelta(minutes=20))

    def work_to_completion(self, ticket: Ticket, filed: datetime, late: bool = False) -> None:
        """Accept, sometimes ask, sometimes get urged, resolve, then confirm, reopen or time out."""
        rng = self.rng
        company = self.enterprise_users[ticket.enterprise_id]
        clock = filed + timedelta(hours=rng.uniform(0.5, 6))
        if rng.random() < 0.05:
            target = rng.choice([d for d in self.departments_near(ticket) if d.id != ticket.department_id])
            self.act(
                ticket.assignee,
                ticket,
                "transfer",
                clock,
                department_id=target.id,
                note="不属于本单位职责，转至相关部门办理。",
            )
            clock += timedelta(hours=1)
        elif rng.random() < 0.03 and ticket.handling_jurisdiction.parent is not None:
            self.act(ticket.assignee, ticket, "escalate", clock, note="需上级部门协调解决。")
            clock += timedelta(hours=1)
        self.act(ticket.assignee, ticket, "accept", clock)
        limit = ticket.category.resolution_days
        if rng.random() < 0.08:
            asked = self.later(clock, 1)
            self.act(ticket.assignee, ticket, "request_info", asked, note="请补充相关证明材料。")
            answered = self.later(asked, rng.choice((0, 1, 2)))
            self.act(company, ticket, "provide_info", answered, note="材料已上传，请查收。")
            clock = answered + timedelta(minutes=30)
        days = limit + rng.randint(1, 4) if late else rng.randint(1, max(1, limit - 1))
        if days >= 2 and (late or rng.random() < 0.05):
            self.act(self.supervisor_for(ticket), ticket, "urge", self.later(clock, days - 1, hour=9.0))
        resolved = self.later(clock, days)
        self.act(ticket.assignee, ticket, "resolve", resolved, note="问题已协调解决，已与企业沟通确认。")
        roll = rng.random()
        if roll < 0.04:
            self.act(company, ticket, "reopen", self.later(resolved, 1), note="问题没有彻底解决，请重新办理。")
            resolved = self.later(resolved, rng.randint(2, 4))
            self.act(ticket.assignee, ticket, "resolve", resolved, note="已重新办理并现场核实。")
        if roll < 0.90:
            rating = rng.choices(("satisfied", "basically_satisfied", "dissatisfied"), (85, 12, 3))[0]
            self.act(
                company,
                ticket,
                "confirm",
                self.later(resolved, rng.randint(0, 3)),
                rating=rating,
                note="感谢帮助！" if rating == "satisfied" else None,
            )
        else:
            self.act(None, ticket, "auto_close", self.later(resolved, 6, hour=8.0))

    def departments_near(self, ticket: Ticket) -> list[Department]:
        return [
            d for d in ticket.handling_jurisdiction.departments if self.cadres_by_jurisdiction.get(d.jurisdiction_id)
        ]

    def working_days_of(self, year: int, month: int | None = None) -> list[date]:
        day, days = date(year, month or 1, 1), []
        while day.year == year and (month is None or day.month == month):
            if self.cal.is_workday(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def build_2024(self, bar) -> None:
        days = self.working_days_of(2024)
        filings = sorted(at(self.rng.choice(days[:-15]), self.rng.uniform(8.5, 17.5)) for _ in range(TICKETS_2024))
        stubborn = set(self.rng.sample(range(TICKETS_2024), OPEN_FROM_2024))
        for index, when in enumerate(filings):
            ticket = self.file(when)
            if index in stubborn:
                self.act(ticket.assignee, ticket, "accept", when + timedelta(hours=3))
                self.act(self.supervisor_for(ticket), ticket, "urge", self.later(when, 10))
            else:
                self.work_to_completion(ticket, when, late=self.rng.random() < 0.06)
            bar.update(1)

    def build_since_2025(self, today: date, bar) -> None:
        month = date(2025, 1, 1)
        last_full = working_days_before(self.cal, today, 25)
        while month <= last_full:
            days = [d for d in self.working_days_of(month.year, month.month) if d <= last_full]
            for _ in range(MONTHLY_SINCE_2025 if days else 0):
                when = at(self.rng.choice(days), self.rng.uniform(8.5, 17.5))
                self.work_to_completion(self.file(when), when, late=self.rng.random() < 0.05)
                bar.update(1)
            month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)

    def build_today(self, now: datetime, bar) -> None:
        """Open tickets right now in every colour, plus some awaiting the enterprise and some resolved."""
        today = now.astimezone(SHANGHAI).date()
        seven_day = [c for c in self.categories if c.resolution_days == 7]
        demo_company = self.enterprise_ids[0]
        # (working days since filing, how many, accepted?) for a 7-day category: 0-4 green, 7 yellow,
        # 8-9 orange, 11+ red.
        plan = [
            (0, 6, False),
            (2, 6, True),
            (4, 4, True),
            (7, 6, True),
            (8, 5, True),
            (9, 3, True),
            (11, 4, True),
            (14, 3, True),
        ]
        for age, count, accepted in plan:
            for i in range(count):
                day = working_days_before(self.cal, today, age)
                when = min(at(day, self.rng.uniform(8.5, 11)), now - timedelta(minutes=5))
                ticket = self.file(
                    when, enterprise_id=demo_company if i == 0 else None, category=self.rng.choice(seven_day)
                )
                if accepted:
                    self.act(ticket.assignee, ticket, "accept", min(when + timedelta(hours=2), now))
                bar.update(1)
        # The demo cadre's own queue (王芳, 川汇区自然资源局, liaison of the demo company): one land
        # issue (15 working days) of every colour.
        land = next(c for c in self.categories if c.code == "land")
        for age in (1, 15, 16, 19):
            when = min(at(working_days_before(self.cal, today, age), 10.0), now - timedelta(minutes=5))
            ticket = self.file(when, enterprise_id=demo_company, category=land)
            self.act(ticket.assignee, ticket, "accept", min(when + timedelta(hours=1), now))
            bar.update(1)
        for i in range(4):  # awaiting the enterprise's documents: the clock is stopped
            when = at(working_days_before(self.cal, today, 3), 9.5)
            ticket = self.file(
                when, enterprise_id=demo_company if i == 0 else None, category=self.rng.choice(seven_day)
            )
            self.act(ticket.assignee, ticket, "accept", when + timedelta(hours=1))
            self.act(
                ticket.assignee,
                ticket,
                "request_info",
                when + timedelta(hours=2),
                note="请补充营业执照副本和项目备案证明。",
            )
            bar.update(1)
        for i in range(4):  # resolved, waiting for the enterprise to confirm and rate
            when = at(working_days_before(self.cal, today, 4), 9.0)
            ticket = self.file(
                when, enterprise_id=demo_company if i == 0 else None, category=self.rng.choice(seven_day)
            )
            self.act(ticket.assignee, ticket, "accept", when + timedelta(hours=1))
            self.act(
                ticket.assignee, ticket, "resolve", self.later(when, 2, hour=15), note="已协调供电公司完成线路改造。"
            )
            bar.update(1)

    def planned_tickets(self, today: date) -> int:
        last_full = working_days_before(self.cal, today, 25)
        months = (last_full.year - 2025) * 12 + last_full.month
        return TICKETS_2024 + MONTHLY_SINCE_2025 * months + 45 + 4 + 4 + 4


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(User)) and not db.session.scalar(
        select(func.count()).select_from(Ticket)
    )


def build_demo(only_if_empty: bool = False, progress: bool = False, now: datetime | None = None) -> DemoSummary:
    """Build the demo world and commit it (deterministic: the same seed gives the same world)."""
    if only_if_empty and not database_is_empty():
        return DemoSummary(0, 0, 0, skipped=True)
    now = now or datetime.now(UTC)
    rng = random.Random(SEED)
    external = current_app.config.get("NOTIFY_EXTERNAL", True)
    current_app.config["NOTIFY_EXTERNAL"] = False  # nobody should get mail or SMS about back-dated demo tickets
    try:
        builder = DemoBuilder(rng, progress)
        builder.build_people()
        db.session.commit()
        today = now.astimezone(SHANGHAI).date()
        with tqdm(
            total=builder.planned_tickets(today), desc="demo tickets", unit="ticket", disable=not progress
        ) as bar:
            builder.build_2024(bar)
            db.session.commit()
            builder.build_since_2025(today, bar)
            db.session.commit()
            builder.build_today(now, bar)
            db.session.commit()
    except DomainError:
        db.session.rollback()
        raise
    finally:
        current_app.config["NOTIFY_EXTERNAL"] = external
    return DemoSummary(CADRES, ENTERPRISES, builder.tickets)
