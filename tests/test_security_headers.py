"""Headers and small holes (issue 17 §7): no-store on personal responses, HSTS in production, the language switch
as a CSRF-protected POST, and `flask seed --demo` refused in production."""

from __future__ import annotations

import re
import secrets

import pytest

from helpdesk import create_app
from helpdesk.auth.services import issue_token

PASSWORD = "correct horse"
GOOD_KEY = secrets.token_hex(32)
NO_DB = {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SQLALCHEMY_ENGINE_OPTIONS": {}}


@pytest.fixture()
def person(make_user):
    return make_user(role="admin", email="qian.hua@example.cn", name="钱华", password=PASSWORD, locale="en")


@pytest.fixture()
def logged_in(app, person):
    client = app.test_client()
    assert client.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
    return client


@pytest.mark.parametrize("path", ["/", "/profile", "/notifications", "/admin/users", "/tickets", "/password"])
def test_personal_pages_are_not_stored_by_browsers_or_proxies(logged_in, path):
    response = logged_in.get(path)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


def test_the_login_page_and_redirects_are_not_stored_either(client):
    assert "no-store" in client.get("/login").headers["Cache-Control"]
    assert "no-store" in client.get("/").headers["Cache-Control"]  # the redirect to the login page


@pytest.mark.parametrize("path", ["/api/v1/users/me", "/api/v1/tickets", "/api/v1/categories", "/api/v1/nothing-here"])
def test_api_answers_are_not_stored(client, person, path):
    response = client.get(path, headers={"Authorization": f"Bearer {issue_token(person)[0]}"})
    assert "no-store" in response.headers["Cache-Control"], (path, response.status_code)
    assert "no-store" in client.get(path).headers["Cache-Control"]  # the 401 too


def test_the_apps_own_assets_may_be_cached(client):
    response = client.get("/static/helpdesk.css")
    response.close()
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_strict_transport_security_in_production_only(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    production = create_app("production", SECRET_KEY=GOOD_KEY, **NO_DB)
    response = production.test_client().get("/healthz", base_url="https://helpdesk.example")
    assert re.fullmatch(r"max-age=\d{8,}; includeSubDomains", response.headers["Strict-Transport-Security"])


# ------------------------------------------------------------------ the language switch


@pytest.fixture()
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_a_get_no_longer_changes_the_language(db, logged_in, person):
    assert logged_in.get("/language/zh_CN").status_code == 405
    db.session.refresh(person)
    assert person.locale == "en"


def test_the_language_switch_needs_the_pages_csrf_token(db, logged_in, person, csrf_on):
    assert logged_in.post("/language/zh_CN").status_code == 400
    db.session.refresh(person)
    assert person.locale == "en"
    page = logged_in.get("/profile").get_data(as_text=True)
    form = re.search(
        r'<form method="post" action="(/language/zh_CN)"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)"',
        page,
    )
    assert form, "the page carries the switch as a form with its token"
    response = logged_in.post(form.group(1), data={"csrf_token": form.group(2), "next": "/profile"})
    assert response.status_code == 302 and response.headers["Location"] == "/profile"
    db.session.refresh(person)
    assert person.locale == "zh_CN"


def test_anonymous_visitors_switch_too(client):
    client.post("/language/en")
    assert "Log in" in client.get("/login").get_data(as_text=True)


# ------------------------------------------------------------------ the demo stays out of production


def test_seed_demo_is_refused_in_production_without_the_explicit_flag():
    production = create_app("production", SECRET_KEY=GOOD_KEY, **NO_DB)
    with production.app_context():  # the command runs in this app, not in the test suite's
        result = production.test_cli_runner().invoke(args=["seed", "--demo"])
    assert result.exit_code != 0
    assert "demo-2024" in result.output and "--i-know-this-is-production" in result.output


def test_the_flag_is_offered_in_the_help():
    production = create_app("production", SECRET_KEY=GOOD_KEY, **NO_DB)
    with production.app_context():
        result = production.test_cli_runner().invoke(args=["seed", "--help"])
    assert "--i-know-this-is-production" in result.output
