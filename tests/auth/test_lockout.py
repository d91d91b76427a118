"""Account lockout (issue 17 §2): LOCKOUT_FAILURES failures of one email within LOCKOUT_WINDOW_MINUTES lock it for
LOCKOUT_MINUTES on the page and the API alike; the user and the admins are told; an admin can unlock it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from helpdesk.audit.models import AdminAuditLog, SecurityEvent
from helpdesk.auth.models import LoginFailure, User
from helpdesk.db import utcnow
from helpdesk.notifications.models import Notification
from tests.api.conftest import assert_error_shape

PASSWORD = "correct horse"
EN = {"Accept-Language": "en"}


# Many wrong passwords per test: a one-round hash is checked in microseconds (production hashing: tests/auth).
CHEAP_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")


@pytest.fixture()
def person(make_user):
    user = make_user(role="cadre", email="sun.li@example.cn", name="孙丽", department_id=_nr().id, password=PASSWORD)
    user.password_hash = CHEAP_HASH
    return user


@pytest.fixture()
def admins(make_user):
    return [make_user(role="admin", email=f"admin{n}@example.cn", locale="en") for n in (1, 2)]


@pytest.fixture()
def bearer(db):
    from helpdesk.auth.services import issue_token

    return lambda user: {"Authorization": f"Bearer {issue_token(user)[0]}"}


def _nr():
    from tests import factories

    return factories.department("411602", "nr")


def api_login(client, email, password, address):
    return client.post(
        "/api/v1/auth/token", json={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def page_login(client, email, password, address):
    return client.post(
        "/login", data={"email": email, "password": password}, headers=EN, environ_base={"REMOTE_ADDR": address}
    )


def fail_from_many_addresses(client, email, times, start=1):
    """Wrong passwords from different addresses: the per-address throttle (5 a minute) never trips."""
    for n in range(start, start + times):
        response = api_login(client, email, "not the password", f"10.0.{n // 4}.{n % 4 + 1}")
        assert response.status_code in (401, 429), response.get_json()
    return response


def fresh_user(db, user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_ten_failures_from_anywhere_lock_the_account_for_the_page_and_the_api(app, client, db, person, admins):
    assert fail_from_many_addresses(client, person.email, 9).status_code == 401
    assert fresh_user(db, person).locked_until is None
    assert fail_from_many_addresses(client, person.email, 1, start=10).status_code == 401  # the tenth is counted
    locked_until = fresh_user(db, person).locked_until
    assert locked_until is not None
    minutes = (locked_until - utcnow()).total_seconds() / 60
    assert app.config["LOCKOUT_MINUTES"] - 1 < minutes <= app.config["LOCKOUT_MINUTES"]

    api = api_login(client, person.email, PASSWORD, "192.0.2.50")  # the right password, from a new address
    body = assert_error_shape(api, 429)
    assert "locked" in body["message"] and "administrator" in body["message"]
    assert 25 * 60 < int(api.headers["Retry-After"]) <= 30 * 60
    page = page_login(client, person.email, PASSWORD, "192.0.2.51")
    assert page.status_code == 429
    assert "locked" in page.get_data(as_text=True)
    assert client.get("/", headers=EN).status_code == 302  # not logged in


def test_the_user_and_every_admin_are_notified_once_in_their_language(client, db, person, admins):
    fail_from_many_addresses(client, person.email, 12)
    notes = db.session.scalars(select(Notification).where(Notification.kind.in_(["account_locked", "user_locked"])))
    by_user = {}
    for note in notes:
        by_user.setdefault(note.user_id, []).append(note)
    assert set(by_user) == {person.id, *(a.id for a in admins)}
    assert all(len(v) == 1 for v in by_user.values())
    assert "账号" in by_user[person.id][0].message  # zh_CN, the cadre's language
    assert person.email in by_user[admins[0].id][0].message and "locked" in by_user[admins[0].id][0].message


def test_a_lock_and_each_failure_are_in_the_security_log(client, db, person, admins):
    fail_from_many_addresses(client, person.email, 10)
    kinds = [e.kind for e in db.session.scalars(select(SecurityEvent).where(SecurityEvent.user_id == person.id))]
    assert kinds.count("login_failed") == 10 and kinds.count("locked") == 1


def test_the_lock_ends_by_itself_after_lockout_minutes(client, db, person, admins):
    fail_from_many_addresses(client, person.email, 10)
    user = fresh_user(db, person)
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.execute(LoginFailure.__table__.delete())  # and the failures have aged out of the window
    db.session.flush()
    assert api_login(client, person.email, PASSWORD, "192.0.2.9").status_code == 201


def test_failures_older_than_the_window_do_not_count(client, db, person, admins):
    fail_from_many_addresses(client, person.email, 9)
    for row in db.session.scalars(select(LoginFailure)):
        row.at = utcnow() - timedelta(minutes=31)
    db.session.flush()
    fail_from_many_addresses(client, person.email, 1, start=20)
    assert fresh_user(db, person).locked_until is None


def test_unknown_emails_lock_alike_so_a_lockout_reveals_no_account(client, db, person):
    fail_from_many_addresses(client, "nobody@example.cn", 10)
    unknown = api_login(client, "nobody@example.cn", "whatever else", "192.0.2.77")
    fail_from_many_addresses(client, person.email, 10)
    known = api_login(client, person.email, "whatever else", "192.0.2.78")
    assert unknown.status_code == known.status_code == 429
    assert unknown.get_json()["message"] == known.get_json()["message"]


def test_an_admin_unlocks_on_the_user_page_and_it_is_audited(app, client, db, person, admins, login_as):
    fail_from_many_addresses(client, person.email, 10)
    admin = login_as(admins[0])
    page = admin.get(f"/admin/users/{person.id}", headers=EN).get_data(as_text=True)
    assert "data-locked" in page and f"/admin/users/{person.id}/unlock" in page
    assert admin.post(f"/admin/users/{person.id}/unlock").status_code == 302
    assert fresh_user(db, person).locked_until is None
    assert api_login(client, person.email, PASSWORD, "192.0.2.5").status_code == 201
    event = db.session.scalar(select(SecurityEvent).where(SecurityEvent.kind == "unlocked"))
    assert event.user_id == person.id and event.actor_id == admins[0].id
    audit = db.session.scalars(select(AdminAuditLog).where(AdminAuditLog.entity_id == person.id)).all()
    assert any(e.before["locked_until"] and e.after["locked_until"] is None for e in audit)


def test_after_an_unlock_the_count_starts_again(client, db, person, admins, bearer):
    fail_from_many_addresses(client, person.email, 10)
    assert client.post(f"/api/v1/users/{person.id}/unlock", headers=bearer(admins[0])).status_code == 200
    fail_from_many_addresses(client, person.email, 9, start=30)
    assert fresh_user(db, person).locked_until is None


def test_the_unlock_api_is_for_admins_only(client, db, person, admins, bearer):
    fail_from_many_addresses(client, person.email, 10)
    assert_error_shape(client.post(f"/api/v1/users/{person.id}/unlock", headers=bearer(person)), 403)
    response = client.post(f"/api/v1/users/{person.id}/unlock", headers=bearer(admins[1]))
    assert response.status_code == 200 and response.get_json()["locked_until"] is None
    assert_error_shape(client.post("/api/v1/users/2147483647/unlock", headers=bearer(admins[1])), 404)


def test_the_unlock_page_is_for_admins_only(client, db, person, admins, login_as):
    fail_from_many_addresses(client, person.email, 10)
    other = login_as(person, password=PASSWORD, unlock_first=True)
    assert other.post(f"/admin/users/{person.id}/unlock").status_code == 403


def test_lockout_settings_are_read_from_the_config(app, client, db, person, admins):
    app.config["LOCKOUT_FAILURES"] = 3
    try:
        fail_from_many_addresses(client, person.email, 3)
        assert fresh_user(db, person).locked_until is not None
    finally:
        app.config["LOCKOUT_FAILURES"] = 10


@pytest.fixture()
def login_as(app, db):
    def make(user, password=PASSWORD, unlock_first=False):
        if unlock_first:
            user.locked_until = None
            db.session.flush()
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": password}, headers=EN)
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        return client

    return make
