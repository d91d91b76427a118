"""Sessions that end (issue 17 §1): logout, idle and absolute timeouts, and revocation of every session and
token on a password change, deactivation or a change of scope; reactivation revives nothing."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from helpdesk.auth.models import ApiToken, UserSession
from helpdesk.db import utcnow
from tests import factories as f

PASSWORD = "correct horse"
EN = {"Accept-Language": "en"}


@pytest.fixture()
def person(make_user):
    return make_user(role="admin", email="zhou.min@example.cn", name="周敏", password=PASSWORD)


def log_in(app, email, password=PASSWORD):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": password}, headers=EN)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def logged_in(client) -> bool:
    return client.get("/notifications", headers=EN).status_code == 200


def copy_of(app, client):
    """A second browser holding a copy of `client`'s session cookie (what an attacker who stole it has)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value, domain="localhost")
    return thief


def token_for(client, email, password=PASSWORD) -> dict:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def sessions_of(db, user) -> list[UserSession]:
    db.session.expire_all()
    return list(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)))


def test_the_cookie_carries_a_session_token_not_the_user_id(app, db, person):
    client = log_in(app, person.email)
    data = app.session_interface.get_signing_serializer(app).loads(client.get_cookie("session").value)
    assert data["_user_id"] != str(person.id)
    (row,) = sessions_of(db, person)
    assert row.token_hash == hashlib.sha256(data["_user_id"].encode()).hexdigest()
    assert data["_user_id"] not in row.token_hash


def test_a_cookie_naming_a_user_id_opens_nothing(app, person):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(person.id)
        session["_fresh"] = True
    assert not logged_in(client)


def test_a_copied_cookie_stops_working_after_logout(app, db, person, make_user):
    company = f.enterprise()
    owner = make_user(role="enterprise", email="boss@example.cn", enterprise_id=company.id)
    client = log_in(app, owner.email)
    thief = copy_of(app, client)
    assert logged_in(thief)
    assert client.post("/logout", headers=EN).status_code == 302
    assert not logged_in(thief)
    filing = thief.post(
        "/tickets/new", data={"category": "land", "title": "用地指标问题", "description": "偷来的会话提交"}
    )
    assert filing.status_code == 302 and "/login" in filing.headers["Location"]
    (row,) = sessions_of(db, owner)
    assert row.ended_reason == "logout" and row.ended_at is not None


def test_an_idle_session_ends_after_session_idle_minutes(app, db, person):
    client = log_in(app, person.email)
    (row,) = sessions_of(db, person)
    row.last_seen_at = utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"], seconds=1)
    db.session.flush()
    assert not logged_in(client)
    (row,) = sessions_of(db, person)
    assert row.ended_reason == "idle"


def test_a_session_seen_within_the_idle_time_goes_on_and_is_touched_at_most_once_a_minute(app, db, person):
    client = log_in(app, person.email)
    (row,) = sessions_of(db, person)
    seen = utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 1)
    row.last_seen_at = seen
    db.session.flush()
    assert logged_in(client)
    (row,) = sessions_of(db, person)
    touched = row.last_seen_at
    assert touched > seen + timedelta(minutes=20)
    assert logged_in(client)  # within the minute: no new write
    assert sessions_of(db, person)[0].last_seen_at == touched


def test_a_session_ends_after_session_max_hours_however_busy(app, db, person):
    client = log_in(app, person.email)
    (row,) = sessions_of(db, person)
    row.created_at = utcnow() - timedelta(hours=app.config["SESSION_MAX_HOURS"], seconds=1)
    db.session.flush()
    assert not logged_in(client)
    assert sessions_of(db, person)[0].ended_reason == "expired"


def test_logging_in_again_starts_a_new_session(app, db, person):
    first = log_in(app, person.email)
    second = log_in(app, person.email)
    assert len(sessions_of(db, person)) == 2
    first.post("/logout")
    assert not logged_in(first) and logged_in(second)


def test_an_admin_password_reset_ends_every_page_session_and_token(app, db, person, make_user):
    victim = make_user(role="cadre", email="cadre.x@example.cn", department_id=f.department("411602", "nr").id)
    page, thief = log_in(app, victim.email), None
    thief = copy_of(app, page)
    api = app.test_client()
    headers = token_for(api, victim.email)
    admin = log_in(app, person.email)
    reset = admin.post(f"/admin/users/{victim.id}/password", data={"password": "a brand new secret"}, headers=EN)
    assert reset.status_code == 302
    assert not logged_in(page) and not logged_in(thief)
    assert api.get("/api/v1/users/me", headers=headers).status_code == 401
    assert {row.ended_reason for row in sessions_of(db, victim)} == {"password_reset"}
    assert logged_in(admin)  # the admin's own session is not touched


def test_a_password_set_through_the_api_ends_sessions_and_tokens(app, db, person, make_user):
    victim = make_user(role="admin", email="second.admin@example.cn")
    page = log_in(app, victim.email)
    api = app.test_client()
    old = token_for(api, victim.email)
    admin_headers = token_for(api, person.email)
    response = api.patch(f"/api/v1/users/{victim.id}", json={"password": "another long secret"}, headers=admin_headers)
    assert response.status_code == 200, response.get_json()
    assert not logged_in(page)
    assert api.get("/api/v1/users/me", headers=old).status_code == 401
    assert api.get("/api/v1/users/me", headers=admin_headers).status_code == 200


def test_deactivation_ends_everything_and_reactivation_revives_nothing(app, db, person, make_user):
    victim = make_user(role="admin", email="leaver@example.cn")
    page = log_in(app, victim.email)
    api = app.test_client()
    old = token_for(api, victim.email)
    admin = log_in(app, person.email)
    assert admin.post(f"/admin/users/{victim.id}/active").status_code == 302  # deactivate
    assert not logged_in(page)
    assert api.get("/api/v1/users/me", headers=old).status_code == 401
    assert admin.post(f"/admin/users/{victim.id}/active").status_code == 302  # reactivate
    db.session.expire_all()
    assert db.session.get(type(victim), victim.id).active
    assert not logged_in(page)
    assert api.get("/api/v1/users/me", headers=old).status_code == 401
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == victim.id)).all()
    assert tokens and all(t.revoked_at is not None for t in tokens)
    assert logged_in(log_in(app, victim.email))  # a new login works


def test_a_change_of_department_ends_the_cadres_sessions_and_tokens(app, db, person, make_user):
    cadre = make_user(role="cadre", email="mover@example.cn", department_id=f.department("411602", "nr").id)
    page = log_in(app, cadre.email)
    api = app.test_client()
    old = token_for(api, cadre.email)
    response = api.patch(
        f"/api/v1/users/{cadre.id}",
        json={"department_id": f.department("411602", "hrss").id},
        headers=token_for(api, person.email),
    )
    assert response.status_code == 200
    assert not logged_in(page)
    assert api.get("/api/v1/users/me", headers=old).status_code == 401
    assert {row.ended_reason for row in sessions_of(db, cadre)} == {"access_changed"}


def test_a_name_or_language_change_ends_nothing(app, db, person, make_user):
    other = make_user(role="admin", email="renamed@example.cn")
    page = log_in(app, other.email)
    api = app.test_client()
    old = token_for(api, other.email)
    api.patch(
        f"/api/v1/users/{other.id}", json={"name": "新名字", "locale": "en"}, headers=token_for(api, person.email)
    )
    assert logged_in(page)
    assert api.get("/api/v1/users/me", headers=old).status_code == 200


def test_changing_ones_own_password_ends_other_sessions_and_tokens_but_keeps_this_browser(app, db, person):
    here = log_in(app, person.email)
    elsewhere = log_in(app, person.email)
    api = app.test_client()
    old = token_for(api, person.email)
    response = here.post(
        "/password",
        data={"current_password": PASSWORD, "new_password": "quiet river stones", "confirm": "quiet river stones"},
        headers=EN,
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert logged_in(here)
    assert not logged_in(elsewhere)
    assert api.get("/api/v1/users/me", headers=old).status_code == 401
    rows = sessions_of(db, person)
    assert [r.ended_reason for r in rows] == ["password_changed", "password_changed", None]
