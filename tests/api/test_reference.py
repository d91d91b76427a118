"""Reference data as plain JSON arrays, and enterprises: list with search, create, duplicates."""

from __future__ import annotations

import pytest

from tests import factories
from tests.api.conftest import assert_error_shape


def test_categories(client, world, bearer):
    response = client.get("/api/v1/categories", headers=bearer(world.owner))
    body = response.get_json()
    assert isinstance(body, list) and len(body) == 13
    land = next(c for c in body if c["code"] == "land")
    assert set(land) == {"code", "name", "name_en", "response_days", "resolution_days"}
    assert land["resolution_days"] >= 10


def test_jurisdictions(client, world, bearer):
    body = client.get("/api/v1/jurisdictions", headers=bearer(world.owner)).get_json()
    assert isinstance(body, list)
    chuanhui = next(j for j in body if j["code"] == "411602")
    assert set(chuanhui) == {"id", "code", "name", "name_en", "level", "parent_id"}
    assert chuanhui["name"] == "川汇区" and chuanhui["level"] == "county"
    assert next(j for j in body if j["id"] == chuanhui["parent_id"])["code"] == "411600"


def test_departments_of_one_jurisdiction(client, world, bearer):
    headers = bearer(world.owner)
    everything = client.get("/api/v1/departments", headers=headers).get_json()
    county = factories.jurisdiction("411602").id
    some = client.get(f"/api/v1/departments?jurisdiction_id={county}", headers=headers).get_json()
    assert 0 < len(some) < len(everything)
    assert {d["jurisdiction_id"] for d in some} == {county}
    assert set(some[0]) == {"id", "name", "name_en", "short_name", "short_name_en", "jurisdiction_id", "is_default"}
    nr = next(d for d in some if d["name"] == "川汇区自然资源局")
    assert (nr["short_name"], nr["short_name_en"]) == ("自然资源局", "Natural Resources")
    assert sum(d["is_default"] for d in some) == 1
    assert_error_shape(client.get("/api/v1/departments?jurisdiction_id=x", headers=headers), 422)
    assert_error_shape(client.get("/api/v1/categories?page=1", headers=headers), 422)


# ------------------------------------------------------------------ enterprises


def test_enterprise_user_sees_only_its_company(client, world, bearer):
    body = client.get("/api/v1/enterprises", headers=bearer(world.owner)).get_json()
    assert body["total"] == 1
    company = body["items"][0]
    assert company["id"] == world.company.id
    assert set(company) == {
        "id",
        "name",
        "credit_code",
        "jurisdiction",
        "industry",
        "size",
        "is_key",
        "liaison",
        "created_at",
    }
    assert company["liaison"] == {"id": world.liaison.id, "name": "王芳"}
    assert company["jurisdiction"]["name"] == "川汇区"


def test_enterprise_search_and_visibility(client, world, bearer):
    other_county = factories.enterprise("411603", name="淮阳恒泰食品有限公司")
    supervisor = bearer(world.supervisor)
    listed = client.get("/api/v1/enterprises?per_page=100", headers=supervisor).get_json()
    assert other_county.id not in {e["id"] for e in listed["items"]}
    admin = bearer(world.admin)
    found = client.get("/api/v1/enterprises?q=恒泰食品", headers=admin).get_json()
    assert [e["id"] for e in found["items"]] == [other_county.id]
    by_code = client.get(f"/api/v1/enterprises?q={world.company.credit_code.lower()}", headers=admin).get_json()
    assert [e["id"] for e in by_code["items"]] == [world.company.id]
    assert client.get(f"/api/v1/enterprises/{other_county.id}", headers=admin).status_code == 200
    assert_error_shape(client.get(f"/api/v1/enterprises/{other_county.id}", headers=supervisor), 404)
    assert_error_shape(client.get("/api/v1/enterprises?per_page=101", headers=admin), 422)


def new_company(**changes):
    return {
        "name": "周口鑫源机械有限公司",
        "credit_code": factories.credit_code("411602"),
        "jurisdiction_id": factories.jurisdiction("411602").id,
        "industry": "machinery",
        **changes,
    }


@pytest.mark.parametrize("role", ["liaison", "supervisor", "admin"])
def test_government_users_register_enterprises(client, world, bearer, role):
    body = new_company(liaison_id=world.liaison.id)
    response = client.post("/api/v1/enterprises", json=body, headers=bearer(getattr(world, role)))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["credit_code"] == body["credit_code"] and created["liaison"]["id"] == world.liaison.id
    assert response.headers["Location"].endswith(f"/api/v1/enterprises/{created['id']}")


def test_enterprise_users_cannot_register_enterprises(client, world, bearer):
    assert_error_shape(client.post("/api/v1/enterprises", json=new_company(), headers=bearer(world.owner)), 403)


def test_bad_credit_code_is_422_saying_what_is_wrong(client, world, bearer):
    code = factories.credit_code("411602")
    wrong_check = code[:17] + ("0" if code[17] != "0" else "1")
    response = client.post(
        "/api/v1/enterprises", json=new_company(credit_code=wrong_check), headers=bearer(world.admin)
    )
    assert_error_shape(response, 422)
    [message] = response.get_json()["errors"]["json"]["credit_code"]
    assert "check character" in message
    short = client.post("/api/v1/enterprises", json=new_company(credit_code="91411602"), headers=bearer(world.admin))
    assert "18 characters" in short.get_json()["errors"]["json"]["credit_code"][0]


def test_duplicate_credit_code_is_409(client, world, bearer):
    response = client.post(
        "/api/v1/enterprises", json=new_company(credit_code=world.company.credit_code), headers=bearer(world.admin)
    )
    assert_error_shape(response, 409)


def test_enterprise_outside_the_callers_jurisdiction_is_422(client, world, bearer):
    body = new_company(jurisdiction_id=factories.jurisdiction("411603").id, credit_code=factories.credit_code("411603"))
    response = client.post("/api/v1/enterprises", json=body, headers=bearer(world.supervisor))
    assert_error_shape(response, 422)
    assert "jurisdiction_id" in response.get_json()["errors"]["json"]
