"""The people of a generated world — cadres, supervisors, admins, enterprises paired with cadres, their users —
inserted in bulk with one password hash. The demo (seeding/demo.py) and the benchmark (bench/generate.py)
both build theirs with `build_people`."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import insert, select
from werkzeug.security import generate_password_hash

from helpdesk.auth.models import Role, User
from helpdesk.enterprises.credit_code import random_credit_code
from helpdesk.enterprises.models import Enterprise
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Department, Jurisdiction, Level

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉兰萍鹏辉建国志红丹宁浩凯欣雪晨博宇航"
FIRMS = "华宏鑫盛源达恒泰瑞丰隆昌兴旺金宝通利康永润德嘉诚信中天豪"
TRADES = [
    ("食品", "food processing"),
    ("纺织", "textiles"),
    ("机械", "machinery"),
    ("电子", "electronics"),
    ("生物医药", "biopharma"),
    ("新材料", "new materials"),
    ("物流", "logistics"),
    ("农业科技", "agritech"),
    ("建材", "building materials"),
    ("制鞋", "footwear"),
    ("包装", "packaging"),
    ("新能源", "new energy"),
]
SIZES = ("micro", "small", "small", "medium", "medium", "large")


@dataclass
class Logins:
    """The documented logins of a world: their emails (and a few names)."""

    domain: str  # "demo.cn": cadreNNNN@demo.cn, companyNNNN@…, supervisor.<code>@…
    cadre: str  # 王芳 of 川汇区自然资源局
    enterprise: str  # a user of the first company, which the login cadre is paired with
    admin: str
    supervisors: dict[str, tuple[str, str]] = field(default_factory=dict)  # jurisdiction code → (email, name)
    locales: dict[str, str] = field(default_factory=dict)  # email → locale other than zh_CN


@dataclass
class People:
    cadres_by_jurisdiction: dict[int, list[int]]
    cadres_by_department: dict[int, list[int]]
    enterprises: list[tuple[int, int, int | None]]  # (id, county id, liaison id), by id
    enterprise_users: dict[int, int]  # enterprise id → the id of its (first) user
    login_cadre_id: int


def random_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def build_people(
    rng: random.Random,
    logins: Logins,
    *,
    password: str,
    cadres: int,
    enterprises: int,
    provincial_cadres: int = 0,
    digits: int = 4,
    paired_with_login_cadre: Callable[[int, Jurisdiction], bool] = lambda index, county: index == 0,
) -> People:
    """Insert the world's people in bulk (flushes, never commits).

    `cadres` are spread over every local department (plus `provincial_cadres` per provincial one), each
    jurisdiction gets a `supervisor.<code>@<domain>`, `enterprises` companies are spread over the counties,
    each paired with a cadre of its county (or with the login cadre where `paired_with_login_cadre` says).
    """
    password_hash = generate_password_hash(password)
    now = datetime.now(UTC)

    def person(email: str, role: Role, **links) -> dict:
        return {
            "email": email,
            "name": links.pop("name", None) or random_name(rng),
            "role": role.value,
            "password_hash": password_hash,
            "active": True,
            "locale": logins.locales.get(email, "zh_CN"),
            "open_tickets": 0,
            "created_at": now,
            **links,
        }

    jurisdictions = {j.code: j for j in db.session.scalars(select(Jurisdiction).order_by(Jurisdiction.id))}
    departments = list(db.session.scalars(select(Department).join(Jurisdiction).order_by(Department.id)))
    province = [d for d in departments if d.jurisdiction.level == Level.PROVINCE]
    local = [d for d in departments if d.jurisdiction.level != Level.PROVINCE]
    n = 0
    rows = []
    for department in province:
        for _ in range(provincial_cadres):
            n += 1
            rows.append(person(f"cadre{n:0{digits}d}@{logins.domain}", Role.CADRE, department_id=department.id))
    first_local = n
    while n < cadres:
        department = local[(n - first_local) % len(local)]
        n += 1
        rows.append(person(f"cadre{n:0{digits}d}@{logins.domain}", Role.CADRE, department_id=department.id))
    chuanhui_nr = next(d for d in local if d.jurisdiction.code == "411602" and d.code == "nr")
    rows.append(person(logins.cadre, Role.CADRE, department_id=chuanhui_nr.id, name="王芳"))
    for code, j in jurisdictions.items():
        rows.append(
            person(f"supervisor.{code}@{logins.domain}", Role.SUPERVISOR, jurisdiction_id=j.id, name=f"{j.name}督查员")
        )
    rows.append(person(logins.admin, Role.ADMIN, name="系统管理员"))
    for code, (email, name) in logins.supervisors.items():
        rows.append(person(email, Role.SUPERVISOR, jurisdiction_id=jurisdictions[code].id, name=name))
    db.session.execute(insert(User), rows)

    by_jurisdiction: dict[int, list[int]] = defaultdict(list)
    by_department: dict[int, list[int]] = defaultdict(list)
    for user_id, department_id, jurisdiction_id in db.session.execute(
        select(User.id, User.department_id, Department.jurisdiction_id)
        .join(Department, User.department_id == Department.id)
        .where(User.role == Role.CADRE.value)
        .order_by(User.id)
    ):
        by_department[department_id].append(user_id)
        by_jurisdiction[jurisdiction_id].append(user_id)
    login_cadre = db.session.scalar(select(User.id).where(User.email == logins.cadre))

    counties = sorted((j for j in jurisdictions.values() if j.level == Level.COUNTY), key=lambda j: j.code)
    seen: set[str] = set()
    companies = []
    for i in range(enterprises):
        county = counties[i % len(counties)]
        trade, trade_en = rng.choice(TRADES)
        short = county.name.removesuffix("区").removesuffix("县").removesuffix("市")
        liaison = login_cadre if paired_with_login_cadre(i, county) else rng.choice(by_jurisdiction[county.id])
        companies.append(
            {
                "name": f"{short}{''.join(rng.sample(FIRMS, 2))}{trade}有限公司",
                "credit_code": random_credit_code(rng, county.code, seen),
                "jurisdiction_id": county.id,
                "industry": trade_en,
                "size": rng.choice(SIZES),
                "contact_name": random_name(rng),
                "contact_phone": f"139{rng.randrange(10**8):08d}",
                "is_key": rng.random() < 0.1,
                "liaison_id": liaison,
                "created_at": now,
            }
        )
    db.session.execute(insert(Enterprise), companies)
    made = [
        tuple(r)
        for r in db.session.execute(
            select(Enterprise.id, Enterprise.jurisdiction_id, Enterprise.liaison_id).order_by(Enterprise.id)
        )
    ]
    db.session.execute(
        insert(User),
        [
            person(
                logins.enterprise if index == 0 else f"company{eid:0{digits}d}@{logins.domain}",
                Role.ENTERPRISE,
                enterprise_id=eid,
            )
            for index, (eid, _county, _liaison) in enumerate(made)
        ],
    )
    enterprise_users = dict(
        db.session.execute(
            select(User.enterprise_id, User.id).where(User.role == Role.ENTERPRISE.value).order_by(User.id.desc())
        ).all()
    )
    return People(dict(by_jurisdiction), dict(by_department), made, enterprise_users, login_cadre)
