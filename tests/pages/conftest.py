"""Fixtures of the page tests: the people around one company (tests.factories.World), and test clients
logged in as any of them through the real login form (CSRF is off in the test config)."""

from __future__ import annotations

import re

import pytest
from werkzeug.security import generate_password_hash

from tests import factories as f

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}
PASSWORD = "correct horse"


# Page tests log in a lot: the people of these tests get a one-round hash (verified in microseconds, not the
# tenth of a second scrypt takes). Production hashing is tested in tests/auth.
CHEAP_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")


@pytest.fixture()
def w(db):
    f._FAST_HASH[:] = [CHEAP_HASH]
    return f.World()


@pytest.fixture()
def login(app, db):
    """login(user) → a new test client with that user's session, in English unless told otherwise."""

    def make(user, locale="en"):
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        client.post(f"/language/{locale}")  # the session's choice wins over the user's stored preference
        return client

    return make


def text(response) -> str:
    return response.get_data(as_text=True)


def errors_beside(html: str, name: str, form_action: str | None = None) -> list[str]:
    """The messages shown beside the field named `name` (in the form posting to `form_action`, if given)."""
    start = html.find(f'action="{form_action}"') if form_action else 0
    assert start >= 0, f"no form posting to {form_action!r}"
    at = html.find(f'name="{name}"', start)
    assert at >= 0, f"no field {name!r} on the page"
    ends = [i for i in (html.find('<div class="mb-', at), html.find("</form>", at)) if i >= 0]
    block = html[at : min(ends)]
    return [m.strip() for m in re.findall(r'<div class="invalid-feedback d-block">(.*?)</div>', block, re.S)]


def form_errors(html: str) -> list[str]:
    """Messages shown above a form (a refusal that names no field)."""
    return [
        m.strip() for m in re.findall(r'<div class="alert alert-danger py-2" role="alert"><div>(.*?)</div>', html, re.S)
    ]


def act(client, ticket, action, **data):
    """Post one action form of the ticket page, with the version the page would carry."""
    data.setdefault("version", ticket.version)
    return client.post(f"/tickets/{ticket.id}/actions/{action}", data=data)


def fresh(obj):
    """The object as the database has it now (requests run in their own sessions)."""
    f.db.session.expire_all()
    return f.db.session.get(type(obj), obj.id)


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
