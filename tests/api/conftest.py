"""API test fixtures: bearer headers for any user, and the people around one company (tests/factories.World)."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture()
def bearer(db):
    """bearer(user) → headers carrying a fresh token of that user (issued by the service, no password hashing)."""
    from helpdesk.auth.services import issue_token

    def make(user) -> dict:
        raw, _token = issue_token(user)
        return {"Authorization": f"Bearer {raw}"}

    return make


@pytest.fixture()
def world(db):
    return factories.World()


def error_fields(response, location: str = "json") -> dict:
    """The `errors` of a JSON error body at one location."""
    body = response.get_json()
    assert set(body) >= {"code", "status", "message"}, body
    assert body["code"] == response.status_code
    return body.get("errors", {}).get(location, {})


def assert_error_shape(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) <= {"code", "status", "message", "errors"}
    assert body["code"] == status
    assert isinstance(body["status"], str) and body["status"]
    assert isinstance(body["message"], str) and body["message"]
    return body
