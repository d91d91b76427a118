"""Plain factory functions for tests (they flush inside the test's transaction)."""
from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime

from sqlalchemy import select

from helpdesk.auth.services import create_user
from helpdesk.enterprises.credit_code import make_credit_code
from helpdesk.enterprises.models import Enterprise
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Department, Jurisdiction

_n = itertools.count(1)
_rng = random.Random(20241)
BODY_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# A Tuesday in an ordinary working week of 2025 (no holiday near it), 10:00 in Shanghai.
TUESDAY = datetime(2025, 3, 11, 2, 0, tzinfo=UTC)


def jurisdiction(code: str) -> Jurisdiction:
    return db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))


def department(jurisdiction_code: str, code: str) -> Department:
    return db.session.scalar(
        select(Department).join(Jurisdiction).where(Jurisdiction.code == jurisdiction_code, Department.code == code)
    )


def credit_code(county_code: str = "411602") -> str:
    body = "91" + county_code + "".join(_rng.choice(BODY_CHARS) for _ in range(9))
    return make_credit_code(body)


def enterprise(county_code: str = "411602", liaison=None, name: str | None = None) -> Enterprise:
    n = next(_n)
    company = Enterprise(
        name=name or f"测试企业{n}有限公司", credit_code=credit_code(county_code),
        jurisdiction_id=jurisdiction(county_code).id, liaison_id=liaison.id if liaison else None,
        industry="manufacturing", size="small",
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
