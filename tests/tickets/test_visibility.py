"""Who sees which ticket and which enterprise (PRODUCT.md §7 "Visibility"): a role × row matrix.

The world, in 周口市 (Zhoukou) unless said otherwise:

- enterprises: own (川汇区, the enterprise user's company), neighbour (川汇区, another company), huaiyang
  (淮阳区), paired (淮阳区, paired with the cadre although it lies in another county), kaifeng (开封市龙亭区,
  another city of the province);
- the cadre works in 川汇区's human-resources bureau (hrss); a colleague works there too; other cadres work in
  川汇区's natural-resources bureau (nr), in 淮阳区 and at the city;
- tickets are inserted directly, so that each one differs from a plain ticket in one way only.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from helpdesk.auth.models import User
from helpdesk.common_issues.models import CommonIssue
from helpdesk.enterprises.credit_code import make_credit_code
from helpdesk.enterprises.models import Enterprise
from helpdesk.enterprises.queries import visible_enterprises
from helpdesk.errors import NotFound
from helpdesk.jurisdictions.models import Category, Department, Jurisdiction
from helpdesk.tickets.models import Ticket, TicketCohandler
from helpdesk.tickets.queries import load_visible_ticket, visible_tickets

CHUANHUI, HUAIYANG, ZHOUKOU = "411602", "411603", "411600"
_seq = itertools.count(1)

# ticket: (enterprise, where it is handled, department there, assignee, liaison, co-handling department)
TICKETS = {
    "own_queue": ("own", CHUANHUI, "hrss", None, None, None),  # the cadre's department, nobody assigned yet
    "own_colleague": ("own", CHUANHUI, "hrss", "colleague", None, None),  # the department's, a colleague works it
    "own_other_department": ("own", CHUANHUI, "nr", "nr_cadre", None, None),  # same county, another department
    "own_cohandled": ("own", CHUANHUI, "nr", "nr_cadre", None, "hrss"),  # …which asked hrss to co-handle (协办)
    "own_escalated": ("own", ZHOUKOU, "hrss", None, None, None),  # escalated to the city's queue (上报)
    "neighbour": ("neighbour", CHUANHUI, "nr", "nr_cadre", None, None),  # another company of the same county
    "assigned_elsewhere": ("huaiyang", HUAIYANG, "nr", "cadre", None, None),  # the cadre's, in another department
    "paired": ("paired", HUAIYANG, "hrss", "huaiyang_cadre", "cadre", None),  # the cadre is the liaison
    "huaiyang": ("huaiyang", HUAIYANG, "hrss", "huaiyang_cadre", None, None),  # another county
    "kaifeng": ("kaifeng", "410202", "office", None, None, None),  # another city
    "in_led_issue": ("huaiyang", HUAIYANG, "nr", None, None, None),  # in a common issue the cadre's department leads
}
ALL_TICKETS = set(TICKETS)

VISIBLE_TICKETS = {
    "enterprise": {"own_queue", "own_colleague", "own_other_department", "own_cohandled", "own_escalated"},
    "cadre": {"own_queue", "own_colleague", "own_cohandled", "assigned_elsewhere", "paired", "in_led_issue"},
    "city_cadre": {"own_escalated"},
    "county_supervisor": {
        "own_queue",
        "own_colleague",
        "own_other_department",
        "own_cohandled",
        "own_escalated",
        "neighbour",
    },
    "other_county_supervisor": {"assigned_elsewhere", "paired", "huaiyang", "in_led_issue"},
    "city_supervisor": ALL_TICKETS - {"kaifeng"},
    "admin": ALL_TICKETS,
}

ENTERPRISES = {"own": CHUANHUI, "neighbour": CHUANHUI, "huaiyang": HUAIYANG, "paired": HUAIYANG, "kaifeng": "410202"}
ALL_ENTERPRISES = set(ENTERPRISES)

VISIBLE_ENTERPRISES = {
    "enterprise": {"own"},
    "cadre": {"own", "neighbour", "paired"},  # its department's county, and the company paired with it
    "city_cadre": ALL_ENTERPRISES - {"kaifeng"},
    "county_supervisor": {"own", "neighbour"},
    "other_county_supervisor": {"huaiyang", "paired"},
    "city_supervisor": ALL_ENTERPRISES - {"kaifeng"},
    "admin": ALL_ENTERPRISES,
}


class World:
    """Rows inserted straight into the test's transaction (no routing, no password hashing: fast)."""

    def __init__(self, session):
        self.session = session
        self.enterprises: dict[str, Enterprise] = {}
        self.users: dict[str, User] = {}
        self.tickets: dict[str, Ticket] = {}
        self._build()

    def jurisdiction(self, code: str) -> Jurisdiction:
        return self.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))

    def department(self, jurisdiction_code: str, code: str) -> Department:
        return self.session.scalar(
            select(Department)
            .join(Department.jurisdiction)
            .where(Jurisdiction.code == jurisdiction_code, Department.code == code)
        )

    def add(self, row):
        self.session.add(row)
        self.session.flush()
        return row

    def _build(self) -> None:
        # 开封市 is not in the seeds: another city of the province, with one county and its general office.
        henan = self.jurisdiction("410000")
        kaifeng = self.add(
            Jurisdiction(
                code="410200", name="开封市", name_en="Kaifeng", level="city", parent_id=henan.id, ticket_prefix="KF"
            )
        )
        longting = self.add(
            Jurisdiction(
                code="410202", name="龙亭区", name_en="Longting District", level="county", parent_id=kaifeng.id
            )
        )
        self.add(
            Department(
                jurisdiction_id=longting.id,
                code="office",
                name="龙亭区人民政府办公室",
                name_en="Longting District Government Office",
                is_default=True,
            )
        )

        for n, (key, county) in enumerate(ENTERPRISES.items(), start=1):
            self.enterprises[key] = self.add(
                Enterprise(
                    name=f"{key} 有限公司",
                    credit_code=make_credit_code(f"91{county}MA{n:07d}"),
                    jurisdiction_id=self.jurisdiction(county).id,
                )
            )

        cadres = {
            "cadre": (CHUANHUI, "hrss"),
            "colleague": (CHUANHUI, "hrss"),
            "nr_cadre": (CHUANHUI, "nr"),
            "huaiyang_cadre": (HUAIYANG, "hrss"),
            "city_cadre": (ZHOUKOU, "hrss"),
        }
        for key, (county, code) in cadres.items():
            self.user(key, "cadre", department_id=self.department(county, code).id)
        self.user("enterprise", "enterprise", enterprise_id=self.enterprises["own"].id)
        self.user("county_supervisor", "supervisor", jurisdiction_id=self.jurisdiction(CHUANHUI).id)
        self.user("other_county_supervisor", "supervisor", jurisdiction_id=self.jurisdiction(HUAIYANG).id)
        self.user("city_supervisor", "supervisor", jurisdiction_id=self.jurisdiction(ZHOUKOU).id)
        self.user("admin", "admin")
        self.enterprises["paired"].liaison_id = self.users["cadre"].id  # 包联干部

        for key, (company, handled_at, department, assignee, liaison, cohandler) in TICKETS.items():
            self.tickets[key] = self.ticket(
                self.enterprises[company],
                handled_at=self.jurisdiction(handled_at),
                department=self.department(handled_at, department),
                assignee=self.users.get(assignee),
                liaison=self.users.get(liaison),
            )
            if cohandler:
                self.add(
                    TicketCohandler(
                        ticket_id=self.tickets[key].id, department_id=self.department(CHUANHUI, cohandler).id
                    )
                )
        issue = self.add(
            CommonIssue(
                title="园区道路积水",
                jurisdiction_id=self.jurisdiction(ZHOUKOU).id,
                lead_department_id=self.department(CHUANHUI, "hrss").id,
            )
        )
        self.tickets["in_led_issue"].common_issue_id = issue.id
        self.session.flush()

    def user(self, key: str, role: str, **link) -> User:
        self.users[key] = self.add(User(email=f"{key}@example.cn", name=key, role=role, password_hash="!", **link))
        return self.users[key]

    def ticket(self, company: Enterprise, *, handled_at, department, assignee, liaison) -> Ticket:
        n = next(_seq)
        filed = datetime(2025, 3, 11, 2, 0, tzinfo=UTC)
        return self.add(
            Ticket(
                number=f"ZK-2025-{n:06d}",
                number_prefix="ZK",
                number_year=2025,
                number_seq=n,
                title="用电增容申请",
                description="新厂房需要增容两百千伏安，请协调供电公司。",
                category_id=self.session.scalar(select(Category.id).where(Category.code == "other")),
                status="assigned" if assignee else "submitted",
                enterprise_id=company.id,
                jurisdiction_id=company.jurisdiction_id,
                handling_jurisdiction_id=handled_at.id,
                department_id=department.id,
                assignee_id=assignee.id if assignee else None,
                liaison_id=liaison.id if liaison else None,
                created_at=filed,
                response_due_at=filed + timedelta(days=1),
                yellow_from=filed + timedelta(days=8),
                due_at=filed + timedelta(days=9),
                red_from=filed + timedelta(days=14),
                version=1,
            )
        )


@pytest.fixture()
def world(db):
    return World(db.session)


@pytest.mark.parametrize(
    ("viewer", "ticket", "expected"),
    [(viewer, ticket, ticket in seen) for viewer, seen in VISIBLE_TICKETS.items() for ticket in TICKETS],
)
def test_ticket_visibility(world, db, viewer, ticket, expected):
    user = world.users[viewer]
    target = world.tickets[ticket]
    visible = set(db.session.scalars(visible_tickets(user).with_only_columns(Ticket.id)))
    assert (target.id in visible) is expected
    # the same rule, stated for a statement that reads one ticket by id
    db.session.expunge(target)
    if expected:
        assert load_visible_ticket(user, target.id, details=True).id == target.id
    else:
        with pytest.raises(NotFound):
            load_visible_ticket(user, target.id)


@pytest.mark.parametrize(
    ("viewer", "enterprise", "expected"),
    [(viewer, company, company in seen) for viewer, seen in VISIBLE_ENTERPRISES.items() for company in ENTERPRISES],
)
def test_enterprise_visibility(world, db, viewer, enterprise, expected):
    user = world.users[viewer]
    target = world.enterprises[enterprise]
    visible = set(db.session.scalars(visible_enterprises(user).with_only_columns(Enterprise.id)))
    assert (target.id in visible) is expected


def test_visibility_filters_compose_with_other_conditions(world, db):
    """The selects are meant to be narrowed further (status, search…) by pages and the API."""
    cadre = world.users["cadre"]
    unassigned = db.session.scalars(visible_tickets(cadre).where(Ticket.assignee_id.is_(None))).all()
    assert [t.id for t in unassigned] == [world.tickets["own_queue"].id, world.tickets["in_led_issue"].id]


def test_inactive_users_of_the_department_do_not_change_what_a_cadre_sees(world, db):
    """Visibility follows the department, not the people in it."""
    world.users["colleague"].active = False
    db.session.flush()
    visible = set(db.session.scalars(visible_tickets(world.users["cadre"]).with_only_columns(Ticket.id)))
    assert world.tickets["own_colleague"].id in visible


def test_a_cadre_who_moves_department_sees_the_new_departments_queue(world, db):
    cadre = world.users["cadre"]
    cadre.department_id = world.department(CHUANHUI, "nr").id
    db.session.flush()
    db.session.expire(cadre, ["department"])
    visible = set(db.session.scalars(visible_tickets(cadre).with_only_columns(Ticket.id)))
    assert world.tickets["own_other_department"].id in visible
    assert world.tickets["own_queue"].id not in visible
    assert world.tickets["assigned_elsewhere"].id in visible  # still assigned to it
