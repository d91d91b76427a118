"""Emails in one form (issue 17 §4): NFKC then lower case on create, import, login and look-up; the migration
stops on existing collisions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from flask_migrate import upgrade
from sqlalchemy import text

from helpdesk.auth.services import canonical_email, create_user, find_user_by_email
from helpdesk.errors import Conflict
from helpdesk.extensions import db as _db
from tests.test_migrations import empty_database_url, keep_logging, migration_app  # noqa: F401 - fixtures

PASSWORD = "correct horse"
FULLWIDTH_ADMIN = "ａｄｍｉｎ@ｄｅｍｏ.cn"  # fullwidth letters: NFKC makes them admin@demo.cn

pytestmark = pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")


def test_canonical_email_is_nfkc_then_lower_case():
    assert canonical_email(FULLWIDTH_ADMIN) == "admin@demo.cn"
    assert canonical_email("  Wang.FANG@Example.CN ") == "wang.fang@example.cn"
    assert canonical_email("ａdmin@demo.cn") == "admin@demo.cn"


def test_a_fullwidth_twin_of_an_existing_email_is_refused(db, make_user):
    make_user(role="admin", email="admin@demo.cn")
    with pytest.raises(Conflict):
        make_user(role="admin", email="ａdmin@demo.cn")
    with pytest.raises(Conflict):
        make_user(role="admin", email=FULLWIDTH_ADMIN.upper())


def test_emails_are_stored_in_canonical_form(db):
    user = create_user(email=FULLWIDTH_ADMIN, name="管理员", password=PASSWORD, role="admin")
    assert user.email == "admin@demo.cn"


def test_login_and_look_up_accept_any_form_of_the_email(client, db, make_user):
    make_user(role="admin", email="admin@demo.cn", password=PASSWORD)
    assert find_user_by_email(FULLWIDTH_ADMIN).email == "admin@demo.cn"
    page = client.post("/login", data={"email": FULLWIDTH_ADMIN, "password": PASSWORD})
    assert page.status_code == 302
    token = client.post("/api/v1/auth/token", json={"email": "ＡＤＭＩＮ@demo.cn", "password": PASSWORD})
    assert token.status_code == 201


def test_the_api_refuses_a_twin_with_409(client, db, make_user):
    admin = make_user(role="admin", email="admin@demo.cn")
    from helpdesk.auth.services import issue_token

    headers = {"Authorization": f"Bearer {issue_token(admin)[0]}"}
    body = {"email": "ａdmin@demo.cn", "name": "第二个", "password": "another secret", "role": "admin"}
    assert client.post("/api/v1/users", json=body, headers=headers).status_code == 409


def test_the_enterprise_import_finds_a_liaison_by_any_form_of_its_email(db, make_user):
    from helpdesk.enterprises.services import import_enterprises_csv
    from tests import factories as f

    admin = make_user(role="admin")
    liaison = make_user(role="cadre", email="liaison@demo.cn", department_id=f.department("411602", "nr").id)
    data = (
        "name,credit_code,jurisdiction_code,liaison_email\n"
        f"导入测试有限公司,{f.credit_code('411602')},411602,ＬＩＡＩＳＯＮ@demo.cn\n"
    ).encode()
    result = import_enterprises_csv(admin, data)
    assert result.created[0].liaison_id == liaison.id


def _insert_user(conn, email: str) -> None:
    conn.execute(
        text(
            "INSERT INTO users (email, name, password_hash, role, active, locale, open_tickets, created_at)"
            " VALUES (:email, 'x', '!', 'admin', true, 'zh_CN', 0, :now)"
        ),
        {"email": email, "now": datetime.now(UTC)},
    )


def _before_security(app) -> str:
    """The revision the security migration (0004) comes after."""
    from alembic.script import ScriptDirectory

    config = app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_revision("0004_security").down_revision


def test_the_migration_normalises_existing_emails(migration_app):  # noqa: F811 - the fixture
    upgrade(revision=_before_security(migration_app))
    with _db.engine.begin() as conn:
        _insert_user(conn, "Mixed.Case@Example.CN")
        _insert_user(conn, "ｆｕｌｌ@example.cn")
    upgrade()
    with _db.engine.connect() as conn:
        emails = set(conn.execute(text("SELECT email FROM users")).scalars())
    assert emails == {"mixed.case@example.cn", "full@example.cn"}


def test_the_migration_stops_on_collisions_and_names_them(migration_app):  # noqa: F811 - the fixture
    before = _before_security(migration_app)
    upgrade(revision=before)
    with _db.engine.begin() as conn:
        _insert_user(conn, "admin@demo.cn")
        _insert_user(conn, "ａdmin@demo.cn")
        _insert_user(conn, "Other@demo.cn")
    config = migration_app.extensions["migrate"].migrate.get_config()
    with pytest.raises(RuntimeError, match="admin@demo.cn") as stopped:
        command.upgrade(config, "head")  # flask's `db upgrade` prints this and exits with status 1
    assert "ａdmin@demo.cn" in str(stopped.value) and "Rename" in str(stopped.value)
    with _db.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == before
        assert "Other@demo.cn" in set(conn.execute(text("SELECT email FROM users")).scalars())
