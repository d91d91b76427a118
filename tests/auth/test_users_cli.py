"""`flask users create`: one user of each role with its link, hashed passwords, and clear refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from helpdesk.auth.models import User
from helpdesk.enterprises.credit_code import make_credit_code
from helpdesk.enterprises.models import Enterprise
from helpdesk.jurisdictions.models import Department, Jurisdiction

PASSWORD = "s3cret-enough"
EMAIL = "cli.user@example.cn"  # the same address in every test: each test's user must be rolled back


@pytest.fixture()
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture()
def county(db):
    return db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == "411602"))  # 川汇区


@pytest.fixture()
def department(db, county):
    return db.session.scalar(select(Department).where(Department.jurisdiction_id == county.id, Department.code == "nr"))


@pytest.fixture()
def enterprise(db, county):
    company = Enterprise(
        name="周口测试食品有限公司", credit_code=make_credit_code("91411602MA44TEXT1"), jurisdiction_id=county.id
    )
    db.session.add(company)
    db.session.flush()
    return company


def create(runner, *args: str, email: str = EMAIL, role: str = "admin", password: str = PASSWORD):
    return runner.invoke(
        args=["users", "create", "--email", email, "--name", "李明", "--role", role, "--password", password, *args]
    )


def users_named(db, email: str) -> list[User]:
    db.session.expire_all()
    return list(db.session.scalars(select(User).where(User.email == email)))


def test_creates_an_admin(runner, db):
    result = create(runner)
    assert result.exit_code == 0, result.output
    assert EMAIL in result.output
    [user] = users_named(db, EMAIL)
    assert (user.role, user.name, user.active) == ("admin", "李明", True)
    assert (user.enterprise_id, user.department_id, user.jurisdiction_id) == (None, None, None)


def test_creates_an_enterprise_user_of_its_company(runner, db, enterprise):
    result = create(runner, "--enterprise-id", str(enterprise.id), role="enterprise")
    assert result.exit_code == 0, result.output
    [user] = users_named(db, EMAIL)
    assert user.role == "enterprise"
    assert user.enterprise_id == enterprise.id


def test_creates_a_cadre_of_its_department(runner, db, department):
    result = create(runner, "--department-id", str(department.id), role="cadre")
    assert result.exit_code == 0, result.output
    [user] = users_named(db, EMAIL)
    assert user.role == "cadre"
    assert user.department_id == department.id


def test_creates_a_supervisor_of_its_jurisdiction(runner, db, county):
    result = create(runner, "--jurisdiction-id", str(county.id), role="supervisor")
    assert result.exit_code == 0, result.output
    [user] = users_named(db, EMAIL)
    assert user.role == "supervisor"
    assert user.jurisdiction_id == county.id


def test_password_is_stored_hashed_and_works_for_login(runner, db, app):
    assert create(runner).exit_code == 0
    [user] = users_named(db, EMAIL)
    assert PASSWORD not in user.password_hash
    assert len(user.password_hash) > len(PASSWORD)
    client = app.test_client()
    wrong = client.post("/login", data={"email": EMAIL, "password": PASSWORD + "x"})
    assert wrong.status_code == 200
    right = client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert right.status_code == 302
    assert client.get("/").status_code == 200


def test_email_is_stored_in_lower_case(runner, db):
    assert create(runner, email="Li.Ming@Example.CN").exit_code == 0
    assert len(users_named(db, "li.ming@example.cn")) == 1


def test_duplicate_email_fails_with_a_message(runner, db):
    assert create(runner).exit_code == 0
    db.session.commit()  # the first user is there for good (inside the test's transaction)
    result = create(runner, email=EMAIL.upper(), role="admin")
    assert result.exit_code != 0
    assert EMAIL in result.output.lower()
    assert "exists" in result.output.lower()
    assert len(users_named(db, EMAIL)) == 1


@pytest.mark.parametrize(
    ("role", "option"),
    [("enterprise", "enterprise"), ("cadre", "department"), ("supervisor", "jurisdiction")],
)
def test_role_without_its_link_fails_with_a_message(runner, db, role, option):
    result = create(runner, role=role)
    assert result.exit_code != 0
    assert option in result.output.lower()
    assert users_named(db, EMAIL) == []


@pytest.mark.parametrize(
    ("role", "option", "what"),
    [
        ("enterprise", "--enterprise-id", "enterprise"),
        ("cadre", "--department-id", "department"),
        ("supervisor", "--jurisdiction-id", "jurisdiction"),
    ],
)
def test_link_to_a_missing_row_fails_with_a_message(runner, db, role, option, what):
    result = create(runner, option, "987654", role=role)
    assert result.exit_code != 0
    assert what in result.output.lower()
    assert "987654" in result.output
    assert users_named(db, EMAIL) == []


@pytest.mark.parametrize("email", ["not-an-email", "li@", "@example.cn", "li ming@example.cn"])
def test_bad_email_fails_with_a_message(runner, db, email):
    result = create(runner, email=email)
    assert result.exit_code != 0
    assert "email" in result.output.lower()
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_short_password_fails_with_a_message(runner, db):
    result = create(runner, password="short")
    assert result.exit_code != 0
    assert "password" in result.output.lower()
    assert users_named(db, EMAIL) == []


def test_unknown_role_is_refused(runner, db):
    result = create(runner, role="superuser")
    assert result.exit_code != 0
    assert "role" in result.output.lower()
    assert users_named(db, EMAIL) == []


def test_a_failed_create_keeps_what_was_there(runner, db, make_user):
    """The command's rollback undoes only its own work."""
    existing = make_user(role="admin", email="existing@example.cn")
    db.session.commit()
    assert create(runner, email="existing@example.cn").exit_code != 0
    assert len(users_named(db, "existing@example.cn")) == 1
    assert db.session.get(User, existing.id) is not None
