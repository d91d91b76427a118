"""Plain factory functions for tests (they flush inside the test's transaction)."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime

from sqlalchemy import select

from helpdesk.auth.services import create_user
from helpdesk.enterprises.credit_code import random_credit_code
from helpdesk.enterprises.models import Enterprise
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Department, Jurisdiction

_n = itertools.count(1)
_rng = random.Random(20241)

# A Tuesday in an ordinary working week of 2025 (no holiday near it), 10:00 in Shanghai.
TUESDAY = datetime(2025, 3, 11, 2, 0, tzinfo=UTC)


def jurisdiction(code: str) -> Jurisdiction:
    return db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))


def department(jurisdiction_code: str, code: str) -> Department:
    return db.session.scalar(
        select(Department).join(Jurisdiction).where(Jurisdiction.code == jurisdiction_code, Department.code == code)
    )


def credit_code(county_code: str = "411602") -> str:
    return random_credit_code(_rng, county_code)


def enterprise(county_code: str = "411602", liaison=None, name: str | None = None) -> Enterprise:
    n = next(_n)
    company = Enterprise(
        name=name or f"测试企业{n}有限公司",
        credit_code=credit_code(county_code),
        jurisdiction_id=jurisdiction(county_code).id,
        liaison_id=liaison.id if liaison else None,
        industry="manufacturing",
        size="small",
    )
    db.session.add(company)
    db.session.flush()
    return company


def user(role: str, **links):
    n = next(_n)
    links.setdefault("email", f"{role}{n}@example.cn")
    links.setdefault("name", f"{role.title()} {n}")
    return create_user(role=role, password="correct horse", **links)


def cadre(jurisdiction_code: str = "411602", department_code: str = "nr", **kwargs):
    return user("cadre", department_id=department(jurisdiction_code, department_code).id, **kwargs)


def supervisor(jurisdiction_code: str = "411602", **kwargs):
    return user("supervisor", jurisdiction_id=jurisdiction(jurisdiction_code).id, **kwargs)


def enterprise_user(company: Enterprise, **kwargs):
    return user("enterprise", enterprise_id=company.id, **kwargs)


def admin(**kwargs):
    return user("admin", **kwargs)


# -- ticket-engine helpers (tests/tickets/) ------------------------------------------------------
# create_user() hashes the password with scrypt (~0.1 s); the ticket tests make many users, so
# these build the same rows with one hash computed once.

_FAST_HASH: list[str] = []


def fast_user(role: str, **links):
    """A user of `role` inserted directly (no password hashing per user); same rows as create_user()."""
    from werkzeug.security import generate_password_hash

    from helpdesk.auth.models import User

    if not _FAST_HASH:
        _FAST_HASH.append(generate_password_hash("correct horse"))
    n = next(_n)
    links.setdefault("email", f"{role}{n}@example.cn")
    links.setdefault("name", f"{role.title()} {n}")
    links.setdefault("active", True)
    links.setdefault("locale", "zh_CN")
    person = User(role=role, password_hash=_FAST_HASH[0], open_tickets=0, **links)
    db.session.add(person)
    db.session.flush()
    return person


def fast_cadre(jurisdiction_code: str = "411602", department_code: str = "nr", **kwargs):
    return fast_user("cadre", department_id=department(jurisdiction_code, department_code).id, **kwargs)


def fast_supervisor(jurisdiction_code: str = "411602", **kwargs):
    return fast_user("supervisor", jurisdiction_id=jurisdiction(jurisdiction_code).id, **kwargs)


def fast_enterprise_user(company: Enterprise, **kwargs):
    return fast_user("enterprise", enterprise_id=company.id, **kwargs)


def fast_admin(**kwargs):
    return fast_user("admin", **kwargs)


def file(actor, category: str = "land", now: datetime = TUESDAY, **kwargs):
    """File a valid ticket through the service (title and description filled in)."""
    from helpdesk.tickets.services import file_ticket

    kwargs.setdefault("title", "用地指标迟迟未落实")
    kwargs.setdefault("description", "项目二期用地指标已承诺三个月，至今没有落实，影响开工。")
    return file_ticket(actor, category=category, now=now, **kwargs)


class World:
    """The people around one company in 川汇区 (411602) and its `land` tickets.

    A `land` ticket of `company` is routed to 川汇区自然资源局 (nr) and assigned to `liaison`.
    """

    def __init__(self):
        self.liaison = fast_cadre("411602", "nr", name="王芳")  # assignee of every new land ticket
        self.colleague = fast_cadre("411602", "nr", name="李强")  # same department, not the assignee
        self.hrss_cadre = fast_cadre("411602", "hrss")  # transfer target
        self.finance_cadre = fast_cadre("411602", "finance")  # co-handling department
        self.city_cadre = fast_cadre("411600", "nr")  # escalation: county → city
        self.province_cadre = fast_cadre("410000", "nr")  # escalation: city → province
        self.company = enterprise("411602", liaison=self.liaison)
        self.owner = fast_enterprise_user(self.company)
        self.other_company = enterprise("411602")
        self.stranger = fast_enterprise_user(self.other_company)
        self.supervisor = fast_supervisor("411602")
        self.city_supervisor = fast_supervisor("411600")
        self.other_supervisor = fast_supervisor("411603")  # 淮阳区: not this company's county
        self.admin = fast_admin()
        self.nr = department("411602", "nr")
        self.hrss = department("411602", "hrss")
        self.finance = department("411602", "finance")
        self.st = department("411602", "st")  # a department with no cadre at all

    @property
    def cadres(self):
        return [self.liaison, self.colleague, self.hrss_cadre, self.finance_cadre, self.city_cadre, self.province_cadre]

    def ticket(self, status: str = "assigned", now: datetime = TUESDAY, **kwargs):
        """A land ticket of `company` brought to `status` through the workflow itself."""
        from helpdesk.tickets.services import perform_action

        t = file(self.owner, now=now, **kwargs)
        act = perform_action
        if status == "assigned":
            return t
        if status == "submitted":  # moved to a department without cadres: it waits in the queue
            return act(self.supervisor, t, "transfer", department_id=self.st.id, note="转科技局", now=now)
        if status == "withdrawn":
            return act(self.owner, t, "withdraw", note="已自行解决", now=now)
        if status == "declined":
            return act(self.supervisor, t, "decline", note="重复诉求", now=now)
        act(self.liaison, t, "accept", now=now)
        if status == "in_progress":
            return t
        if status == "awaiting_enterprise":
            return act(self.liaison, t, "request_info", note="请补充用地红线图", now=now)
        act(self.liaison, t, "resolve", note="指标已下达", now=now)
        if status == "resolved":
            return t
        if status == "closed":
            return act(self.owner, t, "confirm", rating="satisfied", now=now)
        raise ValueError(status)
