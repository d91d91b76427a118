"""Passwords (issue 17 §3): the rules and their messages, self-service change on a page and through the API,
temporary passwords set by admins, and the optional maximum age."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from helpdesk.audit.models import SecurityEvent
from helpdesk.auth.models import User
from helpdesk.auth.passwords import check_new_password
from helpdesk.db import utcnow
from helpdesk.errors import ValidationFailed

PASSWORD = "correct horse"
NEW = "quiet river stones"
EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


@pytest.mark.parametrize(
    "password, rule",
    [
        ("12345678", "at least 10"),
        ("password", "at least 10"),
        ("1234567890", "too common"),
        ("password123", "too common"),
        ("qwertyuiop", "too common"),
        ("1qaz2wsx3edc", "too common"),
        ("aaaaaaaaaaaa", "too common"),
        ("iloveyou1314", "too common"),
        ("x" * 201, "at most 200"),
        ("my-wang.fang-secret", "name of your email"),
        ("WANG.FANG and more", "name of your email"),
    ],
)
def test_weak_passwords_are_refused_naming_the_rule(password, rule):
    with pytest.raises(ValidationFailed) as refused:
        check_new_password(password, "wang.fang@example.cn")
    assert rule in refused.value.message
    assert refused.value.field == "password"


@pytest.mark.parametrize("password", ["correct horse", "long enough", "春风又绿江南岸2024", "Tr0ub4dor&3x!"])
def test_good_passwords_pass(password):
    check_new_password(password, "wang.fang@example.cn")


def test_a_short_local_part_is_not_a_rule():
    check_new_password("a lion in the garden", "li@example.cn")


def test_the_api_names_the_rule_in_english(client, make_user, db):
    admin = make_user(role="admin")
    from helpdesk.auth.services import issue_token

    headers = {"Authorization": f"Bearer {issue_token(admin)[0]}"}
    body = {"email": "new.person@example.cn", "name": "新人", "role": "admin", "password": "password123"}
    response = client.post("/api/v1/users", json=body, headers=headers)
    assert response.status_code == 422
    assert "too common" in response.get_json()["errors"]["json"]["password"][0]


def test_the_admin_page_names_the_rule_in_chinese(app, make_user, db):
    admin = make_user(role="admin", email="boss@example.cn")
    client = log_in(app, admin.email, headers=ZH)
    response = client.post(
        "/admin/users/new",
        data={"email": "x.y@example.cn", "name": "新人", "password": "12345678", "role": "admin"},
        headers=ZH,
    )
    assert response.status_code == 422
    assert "密码至少需要 10 个字符" in response.get_data(as_text=True)


def log_in(app, email, password=PASSWORD, headers=EN, status=302):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": password}, headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    return client


# ------------------------------------------------------------------ changing one's own password


@pytest.fixture()
def person(make_user):
    return make_user(role="admin", email="gao.yan@example.cn", name="高燕", locale="en")


def change(client, current=PASSWORD, new=NEW, confirm=None, headers=EN):
    return client.post(
        "/password",
        data={"current_password": current, "new_password": new, "confirm": new if confirm is None else confirm},
        headers=headers,
    )


def test_the_profile_links_to_the_change_password_page(app, person):
    client = log_in(app, person.email)
    assert "/password" in client.get("/profile", headers=EN).get_data(as_text=True)
    page = client.get("/password", headers=EN)
    assert page.status_code == 200 and 'name="current_password"' in page.get_data(as_text=True)


def test_a_user_changes_its_password_and_logs_in_with_the_new_one(app, db, person):
    client = log_in(app, person.email)
    assert change(client).status_code == 302
    log_in(app, person.email, NEW)
    log_in(app, person.email, PASSWORD, status=200)  # the old one no longer works
    event = db.session.scalar(select(SecurityEvent).where(SecurityEvent.kind == "password_changed"))
    assert event.user_id == person.id


def test_a_wrong_current_password_is_refused_beside_its_field_and_counted(app, db, person):
    client = log_in(app, person.email)
    response = change(client, current="not my password")
    assert response.status_code == 422
    assert "current password is wrong" in response.get_data(as_text=True)
    kinds = [e.kind for e in db.session.scalars(select(SecurityEvent).where(SecurityEvent.user_id == person.id))]
    assert "login_failed" in kinds


def test_a_weak_new_password_is_refused_in_the_users_language(app, db, person):
    person.locale = "zh_CN"
    db.session.flush()
    client = log_in(app, person.email, headers=ZH)
    response = change(client, new="password123", headers=ZH)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "太常见" in html


def test_two_different_new_passwords_are_refused(app, person):
    client = log_in(app, person.email)
    response = change(client, confirm="something else entirely")
    assert response.status_code == 422
    assert "differ" in response.get_data(as_text=True)


def test_the_api_changes_the_password_with_a_token_and_every_token_ends(client, db, person):
    token = client.post("/api/v1/auth/token", json={"email": person.email, "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    body = {"current_password": PASSWORD, "new_password": NEW}
    assert client.post("/api/v1/users/me/password", json=body, headers=headers).status_code == 204
    assert client.get("/api/v1/users/me", headers=headers).status_code == 401
    assert client.post("/api/v1/auth/token", json={"email": person.email, "password": NEW}).status_code == 201


def test_the_api_refuses_a_wrong_current_password_and_a_missing_token(client, person):
    wrong = client.post(
        "/api/v1/users/me/password",
        json={"email": person.email, "current_password": "not it at all", "new_password": NEW},
    )
    assert wrong.status_code == 401
    anonymous = client.post("/api/v1/users/me/password", json={"current_password": PASSWORD, "new_password": NEW})
    assert anonymous.status_code == 401
    weak = client.post(
        "/api/v1/users/me/password",
        json={"email": person.email, "current_password": PASSWORD, "new_password": "password123"},
    )
    assert weak.status_code == 422 and "new_password" in weak.get_json()["errors"]["json"]


# ------------------------------------------------------------------ temporary passwords


def set_temporary(db, user):
    user.password_temporary = True
    db.session.flush()


def test_admin_pages_mark_a_new_password_temporary_by_default(app, db, person):
    admin = log_in(app, person.email)
    page = admin.get("/admin/users/new", headers=EN).get_data(as_text=True)
    assert (
        'name="temporary_password"' in page
        and "checked"
        in page.split('name="temporary_password"')[0][-200:] + page.split('name="temporary_password"')[1][:80]
    )
    created = admin.post(
        "/admin/users/new",
        data={
            "email": "temp.user@example.cn",
            "name": "临时",
            "password": "first secret given",
            "role": "admin",
            "temporary_password": "y",
        },
    )
    assert created.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "temp.user@example.cn"))
    assert user.password_temporary
    reset = admin.post(
        f"/admin/users/{user.id}/password", data={"password": "second secret given", "temporary_password": "y"}
    )
    assert reset.status_code == 302
    db.session.refresh(user)
    assert user.password_temporary


def test_an_admin_may_set_a_lasting_password_by_unticking_the_box(app, db, person, make_user):
    other = make_user(role="admin", email="lasting@example.cn")
    admin = log_in(app, person.email)
    assert admin.post(f"/admin/users/{other.id}/password", data={"password": "durable words here"}).status_code == 302
    db.session.refresh(other)
    assert not other.password_temporary


def test_a_temporary_password_leads_to_the_change_page_and_nowhere_else(app, db, person):
    set_temporary(db, person)
    client = app.test_client()
    response = client.post("/login", data={"email": person.email, "password": PASSWORD}, headers=EN)
    assert response.status_code == 302 and response.headers["Location"] == "/password"
    for path in ("/", "/tickets", "/admin/users", "/profile", "/notifications"):
        blocked = client.get(path, headers=EN)
        assert blocked.status_code == 302 and blocked.headers["Location"] == "/password", path
    assert client.post("/admin/users/new", data={"email": "a@b.cn"}).headers["Location"] == "/password"
    assert client.get("/password", headers=EN).status_code == 200
    assert change(client).status_code == 302
    assert client.get("/", headers=EN).status_code == 200  # free again
    db.session.refresh(person)
    assert not person.password_temporary


def test_a_temporary_password_gets_no_token_but_may_change_itself_through_the_api(client, db, person):
    set_temporary(db, person)
    refused = client.post("/api/v1/auth/token", json={"email": person.email, "password": PASSWORD})
    assert refused.status_code == 403
    assert "changed first" in refused.get_json()["message"]
    changed = client.post(
        "/api/v1/users/me/password",
        json={"email": person.email, "current_password": PASSWORD, "new_password": NEW},
    )
    assert changed.status_code == 204
    assert client.post("/api/v1/auth/token", json={"email": person.email, "password": NEW}).status_code == 201


def test_the_api_sets_temporary_passwords_only_when_asked(client, db, person):
    from helpdesk.auth.services import issue_token

    headers = {"Authorization": f"Bearer {issue_token(person)[0]}"}
    lasting = {"email": "api.made@example.cn", "name": "接口", "role": "admin", "password": "made by api 1"}
    assert client.post("/api/v1/users", json=lasting, headers=headers).status_code == 201
    temporary = {**lasting, "email": "api.temp@example.cn", "temporary_password": True}
    created = client.post("/api/v1/users", json=temporary, headers=headers).get_json()
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.like("api.%")))}
    assert not users["api.made@example.cn"].password_temporary
    assert users["api.temp@example.cn"].password_temporary
    patched = client.patch(
        f"/api/v1/users/{created['id']}",
        json={"password": "a fresh api secret", "temporary_password": False},
        headers=headers,
    )
    assert patched.status_code == 200
    db.session.refresh(users["api.temp@example.cn"])
    assert not users["api.temp@example.cn"].password_temporary


def test_password_max_days_is_off_by_default_and_forces_a_change_when_set(app, db, person):
    person.password_changed_at = utcnow() - timedelta(days=400)
    db.session.flush()
    log_in(app, person.email).get("/")  # no expiry by default
    assert app.config["PASSWORD_MAX_DAYS"] == 0
    app.config["PASSWORD_MAX_DAYS"] = 90
    try:
        client = app.test_client()
        response = client.post("/login", data={"email": person.email, "password": PASSWORD})
        assert response.headers["Location"] == "/password"
        token = client.post("/api/v1/auth/token", json={"email": person.email, "password": PASSWORD})
        assert token.status_code == 403
    finally:
        app.config["PASSWORD_MAX_DAYS"] = 0


def test_stored_passwords_are_not_judged_again(app, db, person):
    """The demo's users keep demo-2024 (shorter than 10): only new passwords follow the rules."""
    person.set_password("demo-2024")
    db.session.flush()
    log_in(app, person.email, "demo-2024")
