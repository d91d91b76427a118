"""Users through the API: the caller, a cadre's leave, and the admins' user management."""

from __future__ import annotations

import pytest

from helpdesk.audit.models import AdminAuditLog
from helpdesk.auth.models import User
from tests import factories
from tests.api.conftest import assert_error_shape

USER_FIELDS = {
    "id",
    "email",
    "mobile",
    "channels",
    "name",
    "role",
    "active",
    "locale",
    "enterprise_id",
    "department_id",
    "jurisdiction_id",
    "away_until",
    "created_at",
    "locked_until",
}


def test_me_is_the_caller(client, world, bearer):
    response = client.get("/api/v1/users/me", headers=bearer(world.liaison))
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == USER_FIELDS
    assert "password" not in response.get_data(as_text=True)
    assert body["id"] == world.liaison.id and body["role"] == "cadre"
    assert body["department_id"] == world.nr.id


def test_a_cadre_sets_and_clears_its_leave(client, db, world, bearer):
    headers = bearer(world.liaison)
    response = client.patch("/api/v1/users/me", json={"away_until": "2025-03-20"}, headers=headers)
    assert response.status_code == 200
    assert response.get_json()["away_until"] == "2025-03-20"
    db.session.refresh(world.liaison)
    assert str(world.liaison.away_until) == "2025-03-20"
    cleared = client.patch("/api/v1/users/me", json={"away_until": None}, headers=headers)
    assert cleared.get_json()["away_until"] is None


def test_a_cadre_on_leave_is_skipped_by_routing(client, world, bearer):
    client.patch("/api/v1/users/me", json={"away_until": "2999-01-01"}, headers=bearer(world.liaison))
    ticket = client.post(
        "/api/v1/tickets",
        json={"category": "land", "title": "用地指标问题", "description": "扩建项目用地指标需要协调落实。"},
        headers=bearer(world.owner),
    ).get_json()
    assert ticket["assignee"]["id"] == world.colleague.id
    assert ticket["liaison"]["id"] == world.liaison.id


@pytest.mark.parametrize("role", ["enterprise", "supervisor", "admin"])
@pytest.mark.parametrize("away_until", ["2025-03-20", None])
def test_only_cadres_can_be_away_others_are_refused_for_their_role(client, db, world, bearer, role, away_until):
    person = {"enterprise": world.owner, "supervisor": world.supervisor, "admin": world.admin}[role]
    response = client.patch("/api/v1/users/me", json={"away_until": away_until}, headers=bearer(person))
    body = assert_error_shape(response, 403)
    assert body["message"] == "Only cadres can be away."
    db.session.refresh(person)
    assert person.away_until is None


@pytest.mark.parametrize("role", ["enterprise", "cadre"])
def test_away_until_is_optional_an_empty_change_changes_nothing(client, world, bearer, role):
    person = {"enterprise": world.owner, "cadre": world.liaison}[role]
    response = client.patch("/api/v1/users/me", json={}, headers=bearer(person))
    assert response.status_code == 200
    assert response.get_json()["id"] == person.id and response.get_json()["away_until"] is None


@pytest.mark.parametrize("body", [{"away_until": "someday"}, {"name": "new name", "away_until": None}])
def test_me_accepts_only_away_until_and_channels(client, world, bearer, body):
    assert_error_shape(client.patch("/api/v1/users/me", json=body, headers=bearer(world.liaison)), 422)


# ------------------------------------------------------------------ admins


@pytest.mark.parametrize("role", ["enterprise", "cadre", "supervisor"])
def test_only_admins_manage_users(client, world, bearer, role):
    person = {"enterprise": world.owner, "cadre": world.liaison, "supervisor": world.supervisor}[role]
    headers = bearer(person)
    assert_error_shape(client.get("/api/v1/users", headers=headers), 403)
    body = {"email": "new@example.cn", "name": "新人", "password": "long enough", "role": "admin"}
    assert_error_shape(client.post("/api/v1/users", json=body, headers=headers), 403)
    assert_error_shape(client.patch(f"/api/v1/users/{world.owner.id}", json={"name": "x"}, headers=headers), 403)


ROLE_BEFORE_BODY = [
    ("patch", "/api/v1/users/{owner}", {"password": 12}),
    ("patch", "/api/v1/users/{owner}", {"password": "x" * 2000, "bogus": 1}),
    ("patch", "/api/v1/users/999999", {"name": "x"}),
    ("post", "/api/v1/users", {"email": "not an email", "role": "king"}),
    ("post", "/api/v1/users", None),  # not even JSON
    ("get", "/api/v1/users?role=bogus&per_page=0&unknown=1", None),
    ("get", "/api/v1/reports/resolution?from=0615-07-15", None),
    ("get", "/api/v1/reports/resolution?group_by=planet&format=pdf", None),
    ("post", "/api/v1/enterprises?x=1", {"name": "x", "credit_code": 7}),
]


@pytest.mark.parametrize(("method", "url", "body"), ROLE_BEFORE_BODY)
def test_a_role_that_may_not_use_an_endpoint_gets_403_whatever_it_sends(client, world, bearer, method, url, body):
    """The role is checked before the body or the query is read: a malformed request cannot turn 403 into 422."""
    call = getattr(client, method)
    kwargs = {"json": body} if body is not None else {"data": "{not json", "content_type": "application/json"}
    if method == "get":
        kwargs = {}
    response = call(url.format(owner=world.owner.id), headers=bearer(world.owner), **kwargs)
    assert_error_shape(response, 403)
    assert "errors" not in response.get_json()


def test_the_role_refusal_still_comes_after_authentication(client, world):
    assert_error_shape(client.get("/api/v1/users?role=bogus"), 401)
    assert_error_shape(client.post("/api/v1/users", json={}), 401)


def test_admin_lists_users_with_filters(client, world, bearer):
    headers = bearer(world.admin)

    def listed(query):
        response = client.get(f"/api/v1/users?per_page=100&{query}", headers=headers)
        assert response.status_code == 200, response.get_json()
        return {u["id"] for u in response.get_json()["items"]}

    assert {world.liaison.id, world.colleague.id} <= listed(f"department_id={world.nr.id}")
    assert listed(f"department_id={world.nr.id}") == {world.liaison.id, world.colleague.id}
    assert listed("role=supervisor") >= {world.supervisor.id, world.city_supervisor.id, world.other_supervisor.id}
    assert world.owner.id not in listed("role=supervisor")
    county = listed(f"jurisdiction_id={factories.jurisdiction('411602').id}")
    assert {world.liaison.id, world.owner.id, world.supervisor.id, world.hrss_cadre.id} <= county
    assert not {world.city_cadre.id, world.city_supervisor.id, world.other_supervisor.id} & county
    assert listed("q=王芳") == {world.liaison.id}
    body = client.get("/api/v1/users?per_page=1", headers=headers).get_json()
    assert body["per_page"] == 1 and len(body["items"]) == 1 and body["total"] >= 12
    assert_error_shape(client.get("/api/v1/users?role=wizard", headers=headers), 422)


def test_admin_creates_a_user(client, db, world, bearer):
    body = {
        "email": "Zhao.Lei@Example.cn",
        "name": "赵磊",
        "password": "long enough",
        "role": "cadre",
        "department_id": world.hrss.id,
        "locale": "en",
    }
    response = client.post("/api/v1/users", json=body, headers=bearer(world.admin))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["email"] == "zhao.lei@example.cn" and created["role"] == "cadre" and created["locale"] == "en"
    assert db.session.get(User, created["id"]).check_password("long enough")
    token = client.post("/api/v1/auth/token", json={"email": "zhao.lei@example.cn", "password": "long enough"})
    assert token.status_code == 201


@pytest.mark.parametrize(
    "changes, status, field",
    [
        ({"email": "not an email"}, 422, "email"),
        ({"password": "short"}, 422, "password"),
        ({"role": "wizard"}, 422, "role"),
        ({"department_id": None}, 422, "department_id"),
        ({"department_id": 999999}, 422, "department_id"),
        ({"name": ""}, 422, "name"),
        ({"locale": "fr"}, 422, "locale"),
    ],
)
def test_bad_new_users_are_refused_naming_the_field(client, world, bearer, changes, status, field):
    body = {
        "email": "new@example.cn",
        "name": "新人",
        "password": "long enough",
        "role": "cadre",
        "department_id": world.hrss.id,
        **changes,
    }
    body = {k: v for k, v in body.items() if v is not None}
    response = client.post("/api/v1/users", json=body, headers=bearer(world.admin))
    assert_error_shape(response, status)
    assert field in response.get_json()["errors"]["json"]


def test_duplicate_email_is_409(client, world, bearer):
    body = {"email": world.owner.email, "name": "重复", "password": "long enough", "role": "admin"}
    assert_error_shape(client.post("/api/v1/users", json=body, headers=bearer(world.admin)), 409)


def test_admin_changes_a_user_and_the_change_is_audited(client, db, world, bearer):
    headers = bearer(world.admin)
    response = client.patch(
        f"/api/v1/users/{world.colleague.id}",
        json={
            "name": "李强强",
            "department_id": world.hrss.id,
            "away_until": "2025-04-01",
            "password": "brand new pass",
        },
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["name"] == "李强强" and body["department_id"] == world.hrss.id and body["away_until"] == "2025-04-01"
    assert db.session.query(AdminAuditLog).filter_by(entity="user", entity_id=world.colleague.id).count() == 1


def test_deactivating_a_user_kills_its_tokens_at_once(client, world, bearer):
    victim = bearer(world.colleague)
    assert client.get("/api/v1/users/me", headers=victim).status_code == 200
    response = client.patch(f"/api/v1/users/{world.colleague.id}", json={"active": False}, headers=bearer(world.admin))
    assert response.status_code == 200 and response.get_json()["active"] is False
    assert_error_shape(client.get("/api/v1/users/me", headers=victim), 401)


def test_admin_cannot_deactivate_itself(client, world, bearer):
    response = client.patch(f"/api/v1/users/{world.admin.id}", json={"active": False}, headers=bearer(world.admin))
    assert_error_shape(response, 422)


def test_unknown_user_is_404(client, world, bearer):
    assert_error_shape(client.patch("/api/v1/users/2147483647", json={"name": "x"}, headers=bearer(world.admin)), 404)
