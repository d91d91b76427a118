"""Hostile input on the API: every answer a clear 4xx (or a harmless 200), never a 500."""

from __future__ import annotations

import json

import pytest

from tests import factories

SCRIPT = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'


@pytest.fixture()
def world(db):
    return factories.World()


@pytest.fixture()
def headers(world):
    from helpdesk.auth.services import issue_token

    def make(user):
        raw, _ = issue_token(user)
        return {"Authorization": f"Bearer {raw}"}

    return make


def assert_json_4xx(response, *codes):
    assert response.status_code in codes, (response.status_code, response.get_data(as_text=True)[:300])
    body = response.get_json()
    assert body["code"] == response.status_code and body["message"]


@pytest.mark.parametrize("q", ["' OR 1=1 --", "%", "_", "\\", "'; DROP TABLE tickets; --", '"', "）（", "\x00"])
def test_sql_metacharacters_in_search_are_just_text(client, world, headers, q):
    world.ticket()
    response = client.get("/api/v1/tickets", query_string={"q": q}, headers=headers(world.admin))
    if response.status_code == 200:
        assert all(q.strip("%_\\") in (t["title"] + t["description"]) for t in response.get_json()["items"])
    else:
        assert_json_4xx(response, 400, 422)
    response = client.get("/api/v1/enterprises", query_string={"q": q}, headers=headers(world.admin))
    assert response.status_code in (200, 400, 422)


@pytest.mark.parametrize("page", ["1000000000000", "99999999999999999999999", "-1", "0", "abc", "1e9"])
def test_huge_negative_and_non_numeric_page_numbers(client, world, headers, page):
    response = client.get("/api/v1/tickets", query_string={"page": page}, headers=headers(world.admin))
    if response.status_code == 200:
        assert response.get_json()["items"] == []
    else:
        assert_json_4xx(response, 400, 422)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tickets/-1",
        "/api/v1/tickets/abc",
        "/api/v1/tickets/1.5",
        "/api/v1/tickets/99999999999999999999",
        "/api/v1/tickets/0/events",
        "/api/v1/attachments/-3",
        "/api/v1/users/x",
    ],
)
def test_negative_and_non_numeric_ids_are_404(client, world, headers, path):
    response = client.get(path, headers=headers(world.admin))
    assert_json_4xx(response, 404, 405)


def test_invalid_utf8_and_malformed_json_are_400(client, world, headers):
    h = {**headers(world.owner), "Content-Type": "application/json"}
    for body in (b"\xff\xfe\xfa{", b'{"title": "\xc3\x28"}', b"{not json", b"[1, 2", b'"a string"', b"[]"):
        response = client.post("/api/v1/tickets", data=body, headers=h)
        assert_json_4xx(response, 400, 422)


def test_body_over_the_limit_is_413(app, client, world, headers):
    big = json.dumps({"title": "x" * 10, "description": "y" * (app.config["MAX_CONTENT_LENGTH"] + 10)})
    response = client.post(
        "/api/v1/tickets", data=big, headers={**headers(world.owner), "Content-Type": "application/json"}
    )
    assert_json_4xx(response, 413)


def test_wrong_types_in_fields_are_422_naming_the_field(client, world, headers):
    h = headers(world.owner)
    response = client.post(
        "/api/v1/tickets", json={"category": ["land"], "title": 12345, "description": None}, headers=h
    )
    assert_json_4xx(response, 422)
    assert set(response.get_json()["errors"]["json"]) >= {"category", "title"}
    response = client.post(
        f"/api/v1/tickets/{world.ticket().id}/actions",
        json={"action": "extend", "days": "many"},
        headers=headers(world.supervisor),
    )
    assert_json_4xx(response, 422)


def test_script_payloads_come_back_as_data_not_markup(client, world, headers):
    response = client.post(
        "/api/v1/tickets",
        json={"category": "land", "title": SCRIPT[:200], "description": SCRIPT + " 用地问题说明。"},
        headers=headers(world.owner),
    )
    assert response.status_code == 201
    assert response.mimetype == "application/json"
    assert response.get_json()["title"] == SCRIPT[:200]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
