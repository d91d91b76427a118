"""Configuration from the environment: production refuses to start without a real SECRET_KEY (PRODUCT.md §9)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest

from helpdesk import ConfigError, create_app
from helpdesk.config import KNOWN_SECRETS, ROOT

GOOD_KEY = secrets.token_hex(32)  # 64 characters
# Production needs no database to start; an in-memory one keeps these apps off the test database.
NO_DB = {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SQLALCHEMY_ENGINE_OPTIONS": {}}


def start_production(env: dict[str, str]) -> subprocess.CompletedProcess:
    """Start the app as a server would (`wsgi.py`) in a fresh interpreter with exactly this environment."""
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "HELPDESK_ENV", "DATABASE_URL")}
    return subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env={**base, "HELPDESK_ENV": "production", "DATABASE_URL": "sqlite://", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "env",
    [
        pytest.param({}, id="unset"),
        pytest.param({"SECRET_KEY": ""}, id="empty"),
        pytest.param({"SECRET_KEY": "x" * 31}, id="31-characters"),
        pytest.param({"SECRET_KEY": "dev-secret-key-not-for-production"}, id="the-development-default"),
    ],
)
def test_production_server_refuses_to_start_without_a_real_secret_key(env):
    result = start_production(env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_server_starts_with_a_random_secret_key():
    result = start_production({"SECRET_KEY": GOOD_KEY})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "key",
    [None, "", "short", "k" * 31, *sorted(KNOWN_SECRETS)],
)
def test_production_refuses_weak_secret_keys(key):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app("production", SECRET_KEY=key, **NO_DB)


def test_production_refuses_the_testing_key():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app("production", SECRET_KEY="testing-secret-key", **NO_DB)


def test_production_starts_with_a_good_key():
    app = create_app("production", SECRET_KEY=GOOD_KEY, **NO_DB)
    assert app.config["SECRET_KEY"] == GOOD_KEY
    assert not app.debug and not app.testing


@pytest.mark.parametrize("env_name", ["development", "testing"])
def test_development_and_testing_start_without_a_secret_key(env_name):
    app = create_app(env_name, **NO_DB)
    assert app.config["SECRET_KEY"]


def test_invalid_helpdesk_env_is_refused(monkeypatch):
    monkeypatch.setenv("HELPDESK_ENV", "staging")
    with pytest.raises(ConfigError, match="HELPDESK_ENV"):
        create_app()


def test_invalid_env_name_argument_is_refused():
    with pytest.raises(ConfigError, match="prod"):
        create_app("prod")


def test_helpdesk_env_chooses_the_configuration(monkeypatch):
    monkeypatch.setenv("HELPDESK_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(SECRET_KEY="", **NO_DB)
    app = create_app(SECRET_KEY=GOOD_KEY, **NO_DB)
    assert app.config["ENV_NAME"] == "production"


def test_production_cookies_are_secure_and_httponly():
    app = create_app("production", SECRET_KEY=GOOD_KEY, **NO_DB)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    # The login page puts its CSRF token in the session: the cookie a browser gets must carry the flags.
    response = app.test_client().get("/login", base_url="https://helpdesk.example")
    assert response.status_code == 200
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "secure" in flags
    assert "httponly" in flags
    assert "samesite=lax" in flags


def test_production_login_form_requires_a_csrf_token():
    app = create_app("production", SECRET_KEY=GOOD_KEY, **NO_DB)
    response = app.test_client().post(
        "/login", data={"email": "a@example.cn", "password": "whatever1"}, base_url="https://helpdesk.example"
    )
    assert response.status_code == 400


def test_development_cookies_work_over_plain_http():
    app = create_app("development", **NO_DB)
    assert not app.config.get("SESSION_COOKIE_SECURE")
