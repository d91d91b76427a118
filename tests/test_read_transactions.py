"""PostgreSQL: a request that only read ends its transaction with COMMIT, one that wrote anything with ROLLBACK
unless it committed (helpdesk/dbsetup.py `commit_if_only_read`).

psycopg forgets its prepared statements on every ROLLBACK, so ending reads with a rollback left PostgreSQL to plan
every statement of every request again. These tests run an app of their own on a scratch database, outside the
test fixture's rolled-back transaction, so that COMMIT and ROLLBACK are the real ones.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, select, text

from tests.reliability.harness import PASSWORD, postgres_url, prepare, scratch_database


@pytest.fixture(scope="module")
def deployment():
    base = postgres_url()
    if base is None:
        pytest.skip("needs PostgreSQL (set TEST_DATABASE_URL)")
    with scratch_database(base) as url:
        yield url, prepare(url, companies=2)


def _app(url: str, routes=None):
    """An app on the scratch database with one pooled connection; `routes(app)` adds test-only routes first."""
    from helpdesk import create_app

    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0},
        RATELIMIT_ENABLED=False,
    )
    if routes:
        routes(app)
    return app


def _endings(app) -> list[str]:
    """How each transaction of the app's engine ends from now on: "commit" or "rollback"."""
    from helpdesk.extensions import db

    seen: list[str] = []
    with app.app_context():
        event.listen(db.engine, "commit", lambda conn: seen.append("commit"))
        event.listen(db.engine, "rollback", lambda conn: seen.append("rollback"))
    return seen


def _bearer(client, email: str) -> dict:
    body = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD}).get_json()
    return {"Authorization": f"Bearer {body['token']}"}


def test_reading_a_ticket_ends_with_commit_and_its_statement_stays_prepared(deployment):
    from helpdesk.extensions import db

    url, cast = deployment
    app = _app(url)
    client = app.test_client()
    filer, supervisor = _bearer(client, cast.enterprises[0][0]), _bearer(client, cast.supervisor)
    new = {
        "category": "land",
        "title": "用地指标迟迟未落实",
        "description": "项目二期用地指标已承诺三个月，至今没有落实。",
    }
    ticket = client.post("/api/v1/tickets", json=new, headers=filer).get_json()
    ends = _endings(app)
    for _ in range(8):
        response = client.get(f"/api/v1/tickets/{ticket['id']}", headers=supervisor)
        assert response.status_code == 200 and response.get_json()["number"] == ticket["number"]
    assert set(ends) == {"commit"} and len(ends) >= 8  # the first also records the token's use (a commit of its own)
    with app.app_context():
        with db.engine.connect() as conn:  # the pool's one connection: the one the requests used
            prepared = conn.scalars(text("SELECT statement FROM pg_prepared_statements")).all()
        db.engine.dispose()
    assert any("FROM tickets" in statement and "JOIN categories" in statement for statement in prepared), prepared


def test_a_report_ends_with_rollback_so_its_aggregates_are_planned_each_time(deployment):
    """PostgreSQL's generic plan of a prepared report aggregate was slower than one planned for its dates and scope."""
    url, cast = deployment
    app = _app(url)
    client = app.test_client()
    supervisor = _bearer(client, cast.supervisor)
    client.get("/api/v1/tickets", headers=supervisor)  # the token's use recorded: its commit is behind us
    ends = _endings(app)
    for _ in range(6):
        assert client.get("/api/v1/reports/resolution?group_by=jurisdiction", headers=supervisor).status_code == 200
    assert ends == ["rollback"] * 6
    from helpdesk.extensions import db

    with app.app_context():
        db.engine.dispose()


def _writing_routes(app):
    """Requests that change a user's name and answer without committing: three ways of writing, and a failure."""
    from helpdesk.auth.models import User
    from helpdesk.extensions import db

    def user():
        return db.session.scalar(select(User).where(User.email == "supervisor@rel.cn"))

    @app.get("/_test/pending")
    def pending():
        user().name = "未提交的改动"
        return "ok"

    @app.get("/_test/flushed")
    def flushed():
        user().name = "已刷新未提交"
        db.session.flush()
        return "ok"

    @app.get("/_test/text")
    def raw():
        db.session.execute(text("UPDATE users SET name = '文本语句' WHERE email = 'supervisor@rel.cn'"))
        return "ok"

    @app.get("/_test/fails")
    def fails():
        user().name = "失败前的改动"
        db.session.flush()
        raise RuntimeError("after writing")


@pytest.mark.parametrize(
    "path, status", [("/_test/pending", 200), ("/_test/flushed", 200), ("/_test/text", 200), ("/_test/fails", 500)]
)
def test_a_request_that_wrote_without_committing_is_rolled_back(deployment, path, status):
    from helpdesk.extensions import db

    url, _ = deployment
    app = _app(url, _writing_routes)
    ends = _endings(app)
    assert app.test_client().get(path).status_code == status
    assert ends == ["rollback"]
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT name FROM users WHERE email = 'supervisor@rel.cn'")) == "督查员"
    engine.dispose()
    with app.app_context():
        db.engine.dispose()
