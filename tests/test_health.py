"""Health checks for the load balancer, and error pages that never show a stack trace."""

from __future__ import annotations

import time

import pytest

from helpdesk import create_app
from helpdesk.extensions import db as _db

UNREACHABLE = {
    # Nothing listens on port 1: the connection is refused at once.
    "postgresql": {
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:1/none",
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}},
    },
    "sqlite": {
        "SQLALCHEMY_DATABASE_URI": "sqlite:////nonexistent-directory/for/helpdesk/tests.db",
        "SQLALCHEMY_ENGINE_OPTIONS": {},
    },
}


@pytest.fixture(params=sorted(UNREACHABLE))
def app_without_database(request):
    app = create_app("testing", WTF_CSRF_ENABLED=False, **UNREACHABLE[request.param])
    try:
        yield app
    finally:
        with app.app_context():
            _db.engine.dispose()


def test_healthz_answers_json(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json()["status"] == "ok"


def test_healthz_needs_no_login_and_no_database(app_without_database):
    response = app_without_database.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_readyz_is_ok_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json()["status"] == "ok"


def test_readyz_is_503_json_when_the_database_is_unreachable(app_without_database):
    started = time.monotonic()
    response = app_without_database.test_client().get("/readyz")
    assert time.monotonic() - started < 10
    assert response.status_code == 503
    assert response.is_json
    body = response.get_json()
    assert body["status"] != "ok"
    assert "Traceback" not in response.get_data(as_text=True)


def test_readyz_recovers_when_the_database_comes_back(tmp_path):
    folder = tmp_path / "not-yet"
    app = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'helpdesk.db'}", SQLALCHEMY_ENGINE_OPTIONS={}
    )
    try:
        client = app.test_client()
        assert client.get("/readyz").status_code == 503
        assert client.get("/readyz").status_code == 503
        folder.mkdir()
        assert client.get("/readyz").status_code == 200
    finally:
        with app.app_context():
            _db.engine.dispose()


def test_a_page_that_needs_the_database_is_a_503_page_when_it_is_down(app_without_database):
    response = app_without_database.test_client().post(
        "/login", data={"email": "wang.fang@example.cn", "password": "whatever1"}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "Traceback" not in html
    assert "sqlalchemy" not in html.lower() and "psycopg" not in html.lower()


def test_unknown_page_is_a_plain_404_page(client):
    response = client.get("/no/such/page", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "404" in html
    assert "Traceback" not in html and 'File "' not in html


def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.is_json
    body = response.get_json()
    assert body["code"] == 404
    assert body["message"]


def test_unexpected_error_is_a_500_page_without_the_details():
    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", SQLALCHEMY_ENGINE_OPTIONS={})

    @app.get("/boom")
    def boom():
        raise RuntimeError("password=hunter2 in /srv/helpdesk/secret.py")

    @app.get("/api/v1/boom")
    def api_boom():
        raise RuntimeError("password=hunter2 in /srv/helpdesk/secret.py")

    client = app.test_client()
    page = client.get("/boom", headers={"Accept-Language": "en"})
    assert page.status_code == 500
    assert "hunter2" not in page.get_data(as_text=True)
    assert "Traceback" not in page.get_data(as_text=True)
    api = client.get("/api/v1/boom")
    assert api.status_code == 500
    assert api.get_json()["code"] == 500
    assert "hunter2" not in api.get_data(as_text=True)
