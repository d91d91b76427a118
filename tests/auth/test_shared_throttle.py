"""Throttling and lockout hold across processes (issue 17 §2): two gunicorn servers on one database see the same
failed-login counters, in the database when REDIS_URL is unset and in Redis when it is set.

Each server is its own process with its own memory, as the workers of `make run` are; requests alternate
between them. Clients bind to different loopback addresses (127.0.0.N) to be different "client addresses".
Everything stays on 127.0.0.0/8, and every loop is bounded.
"""

from __future__ import annotations

import http.client
import json
import secrets
import socket
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text

from helpdesk import create_app
from helpdesk.extensions import db as _db
from tests.reliability.harness import Server

PASSWORD = "correct horse"


def redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def token_request(base: str, email: str, password: str, source: str = "127.0.0.1") -> tuple[int, dict, dict]:
    """POST /api/v1/auth/token from the loopback address `source`: (status, body, headers)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30, source_address=(source, 0))
    try:
        conn.request(
            "POST",
            "/api/v1/auth/token",
            body=json.dumps({"email": email, "password": password}),
            headers={"Content-Type": "application/json"},
        )
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}"), dict(response.getheaders())
    finally:
        conn.close()


@pytest.fixture(scope="module", params=["database", "redis"])
def two_servers(request, tmp_path_factory):
    """Two single-worker gunicorn servers on one SQLite file, the counters in the database or in Redis."""
    if request.param == "redis" and not redis_available():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    url = f"sqlite:///{tmp_path_factory.mktemp('shared') / 'shared.db'}"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS={})
    with app.app_context():
        from helpdesk.auth.services import create_user

        _db.create_all()
        for email in ("pair@example.cn", "lock@example.cn"):
            create_user(email=email, name=email, password=PASSWORD, role="admin")
        _db.session.commit()
        _db.session.remove()
        _db.engine.dispose()
    env = {"REDIS_URL": "", "LOGIN_FAILURE_LIMIT": "5 per minute", "LOCKOUT_FAILURES": "10"}
    if request.param == "redis":
        env.update(REDIS_URL="redis://127.0.0.1:6379/0", LOGIN_COUNTER_PREFIX=f"test-{secrets.token_hex(6)}")
    with ThreadPoolExecutor(2) as pool:  # started side by side: each takes seconds to import the app
        starting = [pool.submit(Server, url, 1, env) for _ in range(2)]
    servers = [f.result() for f in starting if f.exception() is None]
    try:
        if len(servers) < 2:
            raise next(f.exception() for f in starting if f.exception() is not None)
        yield [s.base for s in servers], url
    finally:
        for server in servers:
            server.stop()


def test_the_five_a_minute_limit_holds_across_processes(two_servers):
    (a, b), _url = two_servers
    for n in range(5):
        status, _body, _headers = token_request((a, b)[n % 2], "pair@example.cn", "not the password")
        assert status == 401
    status, body, headers = token_request(b, "pair@example.cn", PASSWORD)  # this server saw two of the five
    assert status == 429, body
    assert 1 <= int(headers["Retry-After"]) <= 60
    status, _body, _headers = token_request(a, "pair@example.cn", PASSWORD, source="127.0.0.2")  # another address
    assert status == 201


def test_the_lockout_counts_failures_seen_by_every_process(two_servers):
    (a, b), url = two_servers
    for n in range(10):  # ten addresses, so the per-address limit never trips
        status, body, _headers = token_request(
            (a, b)[n % 2], "lock@example.cn", "not the password", f"127.0.0.{n + 10}"
        )
        assert status == 401, body
    for base in (a, b):
        status, body, headers = token_request(base, "lock@example.cn", PASSWORD, "127.0.0.99")
        assert status == 429 and "locked" in body["message"], body
        assert int(headers["Retry-After"]) > 60
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            locked = conn.execute(text("SELECT locked_until FROM users WHERE email = 'lock@example.cn'")).scalar()
    finally:
        engine.dispose()
    assert locked is not None
