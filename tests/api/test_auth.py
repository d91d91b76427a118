"""Bearer tokens: issue, hash at rest, expiry, revocation, deactivation, throttling; no cookie authentication."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from helpdesk.auth.models import ApiToken
from tests.api.conftest import assert_error_shape

PASSWORD = "correct horse"


@pytest.fixture()
def person(make_user):
    return make_user(role="admin", email="li.na@example.cn", name="李娜", password=PASSWORD)


def login(client, email, password, address="127.0.0.1"):
    return client.post(
        "/api/v1/auth/token", json={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def test_token_is_issued_for_the_right_password_and_works(client, person):
    response = login(client, "li.na@example.cn", PASSWORD)
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"token", "expires_at"}
    me = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.get_json()["email"] == "li.na@example.cn"


def test_token_is_stored_only_as_its_sha256(client, db, person):
    raw = login(client, "li.na@example.cn", PASSWORD).get_json()["token"]
    stored = db.session.scalars(select(ApiToken).where(ApiToken.user_id == person.id)).all()
    assert len(stored) == 1
    assert stored[0].token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in stored[0].token_hash


def test_token_expires_after_api_token_days(client, app, db, person):
    before = datetime.now(UTC)
    body = login(client, "li.na@example.cn", PASSWORD).get_json()
    expires = datetime.fromisoformat(body["expires_at"])
    assert expires.utcoffset() is not None
    days = app.config["API_TOKEN_DAYS"]
    assert before + timedelta(days=days) - timedelta(seconds=5) <= expires <= datetime.now(UTC) + timedelta(days=days)
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == person.id))
    token.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.flush()
    response = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert_error_shape(response, 401)


def test_email_is_matched_whatever_its_case(client, person):
    assert login(client, "  LI.NA@Example.CN ", PASSWORD).status_code == 201


def test_wrong_password_and_unknown_email_get_the_same_401(client, person):
    wrong = login(client, "li.na@example.cn", "not the password")
    unknown = login(client, "nobody@example.cn", "not the password")
    assert_error_shape(wrong, 401)
    assert_error_shape(unknown, 401)
    assert wrong.get_json() == unknown.get_json()


def test_inactive_user_gets_no_token(client, db, person):
    person.active = False
    db.session.flush()
    assert_error_shape(login(client, "li.na@example.cn", PASSWORD), 401)


def test_missing_fields_are_422(client):
    response = client.post("/api/v1/auth/token", json={"email": "li.na@example.cn"})
    assert_error_shape(response, 422)
    assert response.get_json()["errors"]["json"]["password"]


def test_revoked_token_stops_working(client, person, bearer):
    headers = bearer(person)
    other = bearer(person)
    assert client.get("/api/v1/users/me", headers=headers).status_code == 200
    response = client.delete("/api/v1/auth/token", headers=headers)
    assert response.status_code == 204
    assert response.get_data() == b""
    assert_error_shape(client.get("/api/v1/users/me", headers=headers), 401)
    assert client.get("/api/v1/users/me", headers=other).status_code == 200  # only that token


def test_deactivated_users_tokens_stop_working_at_once(client, db, person, bearer):
    headers = bearer(person)
    assert client.get("/api/v1/users/me", headers=headers).status_code == 200
    person.active = False
    db.session.flush()
    assert_error_shape(client.get("/api/v1/users/me", headers=headers), 401)


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Bearer not-a-token", "Basic bGkubmE6Y29ycmVjdCBob3JzZQ==", "Token abc"],
)
def test_requests_without_a_valid_bearer_token_are_401(client, header):
    headers = {} if header is None else {"Authorization": header}
    response = client.get("/api/v1/tickets", headers=headers)
    assert_error_shape(response, 401)
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/users/me"),
        ("get", "/api/v1/users"),
        ("get", "/api/v1/categories"),
        ("get", "/api/v1/jurisdictions"),
        ("get", "/api/v1/departments"),
        ("get", "/api/v1/enterprises"),
        ("post", "/api/v1/enterprises"),
        ("get", "/api/v1/tickets"),
        ("post", "/api/v1/tickets"),
        ("get", "/api/v1/tickets/1"),
        ("post", "/api/v1/tickets/1/actions"),
        ("get", "/api/v1/tickets/1/events"),
        ("get", "/api/v1/tickets/1/comments"),
        ("post", "/api/v1/tickets/1/attachments"),
        ("get", "/api/v1/attachments/1"),
        ("get", "/api/v1/reports/resolution"),
        ("delete", "/api/v1/auth/token"),
    ],
)
def test_every_endpoint_but_the_public_ones_needs_a_token(client, method, path):
    assert_error_shape(getattr(client, method)(path), 401)


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/api/v1/docs", "/healthz", "/readyz"])
def test_public_paths_need_no_token(client, path):
    assert client.get(path).status_code == 200


def test_session_cookie_is_not_api_authentication(client, person):
    with client.session_transaction() as session:
        session["_user_id"] = str(person.id)
        session["_fresh"] = True
    assert client.get("/api/v1/users/me").status_code == 401


# ------------------------------------------------------------------ throttling


def test_five_failures_a_minute_then_429_with_retry_after(client, person):
    for _ in range(5):
        assert login(client, "li.na@example.cn", "wrong").status_code == 401
    response = login(client, "li.na@example.cn", PASSWORD)  # even the right password
    assert_error_shape(response, 429)
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_throttling_is_per_email_and_address(client, make_user, person):
    make_user(role="admin", email="wang.wu@example.cn", password=PASSWORD)
    for _ in range(5):
        login(client, "li.na@example.cn", "wrong")
    assert login(client, "li.na@example.cn", PASSWORD).status_code == 429
    assert login(client, "wang.wu@example.cn", PASSWORD).status_code == 201
    assert login(client, "li.na@example.cn", PASSWORD, address="10.9.8.7").status_code == 201


def test_unknown_emails_are_throttled_too(client):
    for _ in range(5):
        assert login(client, "ghost@example.cn", "guess").status_code == 401
    assert login(client, "ghost@example.cn", "guess").status_code == 429


def test_successful_logins_are_not_counted(client, person):
    for _ in range(4):
        login(client, "li.na@example.cn", "wrong")
    for _ in range(3):
        assert login(client, "li.na@example.cn", PASSWORD).status_code == 201
    assert login(client, "li.na@example.cn", "wrong").status_code == 401
    assert login(client, "li.na@example.cn", PASSWORD).status_code == 429


# ------------------------------------------------------------------ CSRF


@pytest.fixture()
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_csrf_does_not_apply_to_the_token_api(client, person, bearer, csrf_on):
    assert login(client, "li.na@example.cn", PASSWORD).status_code == 201
    response = client.post("/api/v1/enterprises", json={"name": "x"}, headers=bearer(person))
    assert response.status_code == 422  # validated, not refused for a missing CSRF token
