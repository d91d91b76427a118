"""Tickets through the API: filing, reading, listing with filters, actions, history and comments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from helpdesk.auth.models import User
from helpdesk.tickets.models import Ticket
from tests import factories
from tests.api.conftest import assert_error_shape

TICKET_FIELDS = {
    "id",
    "common_issue",
    "number",
    "title",
    "description",
    "category",
    "priority",
    "status",
    "warning",
    "enterprise",
    "jurisdiction",
    "handling_jurisdiction",
    "handling_level",
    "department",
    "assignee",
    "liaison",
    "created_at",
    "response_due_at",
    "due_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "rating",
    "reopen_count",
    "urge_count",
    "version",
    "routing_reason",
    "routing",
}
NEW_TICKET = {
    "category": "land",
    "title": "扩建项目用地指标",
    "description": "企业扩建生产线需新增用地，指标和供地进度需要协调。",
}


def file_as(client, headers, **changes):
    return client.post("/api/v1/tickets", json={**NEW_TICKET, **changes}, headers=headers)


def test_enterprise_user_files_a_ticket_that_is_routed_at_once(client, world, bearer):
    response = file_as(client, bearer(world.owner))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) == TICKET_FIELDS
    assert response.headers["Location"].endswith(f"/api/v1/tickets/{body['id']}")
    assert body["status"] == "assigned"
    assert body["assignee"] == {"id": world.liaison.id, "name": "王芳"}
    assert body["liaison"] == {"id": world.liaison.id, "name": "王芳"}
    assert body["department"] == {"id": world.nr.id, "name": world.nr.name}
    assert body["enterprise"] == {
        "id": world.company.id,
        "name": world.company.name,
        "credit_code": world.company.credit_code,
    }
    assert body["category"]["code"] == "land" and body["category"]["name"]
    assert body["jurisdiction"]["level"] == "county" and body["handling_level"] == "county"
    assert body["handling_jurisdiction"] == body["jurisdiction"]
    assert body["priority"] == "normal"
    assert body["warning"] == "green"
    assert body["version"] >= 1 and body["reopen_count"] == 0 and body["urge_count"] == 0
    assert body["routing"]["why"] == {"department": "rule", "cadre": "liaison"}
    assert (body["routing"]["department_id"], body["routing"]["cadre_id"]) == (world.nr.id, world.liaison.id)
    assert body["routing_reason"].endswith("；分派给王芳（企业的包联干部）")  # the owner's language: zh_CN
    assert body["number"].startswith("ZK-")
    for name in ("created_at", "response_due_at", "due_at"):
        assert datetime.fromisoformat(body[name]).utcoffset() is not None
    assert body["first_response_at"] is None and body["resolved_at"] is None and body["rating"] is None


def test_the_location_header_serves_the_same_ticket(client, world, bearer):
    headers = bearer(world.owner)
    created = file_as(client, headers)
    fetched = client.get(created.headers["Location"], headers=headers)
    assert fetched.status_code == 200
    assert fetched.get_json()["number"] == created.get_json()["number"]


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"title": "短"}, "title", "Shorter than minimum length 5."),
        ({"title": "x" * 201}, "title", "Longer than maximum length 200."),
        ({"description": "太短了"}, "description", "Shorter than minimum length 10."),
        ({"category": "nonsense"}, "category", None),
        ({"priority": "critical"}, "priority", None),
        ({"title": 12345}, "title", None),
    ],
)
def test_invalid_fields_are_422_naming_the_field(client, world, bearer, changes, field, message):
    response = file_as(client, bearer(world.owner), **changes)
    body = assert_error_shape(response, 422)
    assert field in body["errors"]["json"]
    if message:
        assert body["errors"]["json"][field] == [message]


def test_blank_title_of_spaces_is_refused_by_the_service_rule(client, world, bearer):
    response = file_as(client, bearer(world.owner), title="       ")
    assert_error_shape(response, 422)
    assert "title" in response.get_json()["errors"]["json"]


def test_enterprise_user_may_not_name_another_enterprise(client, world, bearer):
    response = file_as(client, bearer(world.owner), enterprise_id=world.other_company.id)
    assert_error_shape(response, 422)
    assert "enterprise_id" in response.get_json()["errors"]["json"]


def test_government_user_files_on_behalf_of_a_visible_enterprise(client, world, bearer):
    headers = bearer(world.supervisor)
    missing = file_as(client, headers)
    assert_error_shape(missing, 422)
    assert "enterprise_id" in missing.get_json()["errors"]["json"]
    response = file_as(client, headers, enterprise_id=world.company.id, priority="urgent")
    assert response.status_code == 201
    assert response.get_json()["enterprise"]["id"] == world.company.id
    assert response.get_json()["priority"] == "urgent"


def test_filing_for_an_enterprise_the_caller_cannot_see_is_422(client, world, bearer):
    response = file_as(client, bearer(world.other_supervisor), enterprise_id=world.company.id)
    assert_error_shape(response, 422)
    assert "enterprise_id" in response.get_json()["errors"]["json"]


def test_unknown_json_fields_are_422(client, world, bearer):
    response = file_as(client, bearer(world.owner), colour="red")
    assert_error_shape(response, 422)
    assert response.get_json()["errors"]["json"]["colour"]


@pytest.mark.parametrize("body", ["{not json", "[1, 2", ""])
def test_malformed_json_is_400(client, world, bearer, body):
    response = client.post("/api/v1/tickets", data=body, content_type="application/json", headers=bearer(world.owner))
    assert response.status_code in (400, 422)
    assert_error_shape(response, response.status_code)
    if body:
        assert response.status_code == 400


@pytest.mark.parametrize("body", ['"just a string"', "[1, 2]", "null", "42"])
def test_json_that_is_not_an_object_is_refused_without_500(client, world, bearer, body):
    response = client.post("/api/v1/tickets", data=body, content_type="application/json", headers=bearer(world.owner))
    assert response.status_code in (400, 422)
    assert_error_shape(response, response.status_code)


# ------------------------------------------------------------------ reading and listing


@pytest.fixture()
def tickets(world):
    """Three tickets of the world's company: one assigned (oldest), one in progress, one closed (newest)."""
    day = factories.TUESDAY
    assigned = world.ticket("assigned", now=day - timedelta(days=7), title="用地指标迟迟未落实一")
    in_progress = world.ticket("in_progress", now=day - timedelta(days=6), title="供电线路改造申请二")
    closed = world.ticket("closed", now=day - timedelta(days=5), title="用地审批已完成三")
    return assigned, in_progress, closed


def ids(response):
    assert response.status_code == 200, response.get_json()
    return [t["id"] for t in response.get_json()["items"]]


def test_list_is_paginated_newest_first(client, world, bearer, tickets):
    headers = bearer(world.owner)
    response = client.get("/api/v1/tickets?per_page=2", headers=headers)
    body = response.get_json()
    assert set(body) == {"items", "page", "per_page", "total"}
    assert body["total"] == 3 and body["page"] == 1 and body["per_page"] == 2
    assert [t["id"] for t in body["items"]] == [tickets[2].id, tickets[1].id]
    assert set(body["items"][0]) == TICKET_FIELDS
    assert ids(client.get("/api/v1/tickets?per_page=2&page=2", headers=headers)) == [tickets[0].id]
    assert ids(client.get("/api/v1/tickets?per_page=2&page=99", headers=headers)) == []
    assert ids(client.get("/api/v1/tickets?page=99999999999999999999", headers=headers)) == []


@pytest.mark.parametrize(
    "query, location_field",
    [
        ("per_page=101", "per_page"),
        ("per_page=0", "per_page"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("status=open", "status"),
        ("warning=purple", "warning"),
        ("sort=title", "sort"),
        ("assignee_id=you", "assignee_id"),
        ("enterprise_id=-3", "enterprise_id"),
        ("enterprise_id=99999999999999", "enterprise_id"),
        ("created_from=2024-13-01", "created_from"),
        ("created_from=0001-01-01", "created_from"),
        ("colour=red", "colour"),
    ],
)
def test_bad_query_arguments_are_422(client, world, bearer, query, location_field):
    response = client.get(f"/api/v1/tickets?{query}", headers=bearer(world.owner))
    assert_error_shape(response, 422)
    assert location_field in response.get_json()["errors"]["query"]


def test_filters(client, world, bearer, tickets):
    assigned, in_progress, closed = tickets
    headers = bearer(world.supervisor)

    def get(query):
        return ids(client.get(f"/api/v1/tickets?{query}", headers=headers))

    assert get("status=assigned,in_progress") == [in_progress.id, assigned.id]
    assert get("status=closed") == [closed.id]
    assert get("category=land") == [closed.id, in_progress.id, assigned.id]
    assert get("category=tax") == []
    assert get(f"enterprise_id={world.company.id}") == [closed.id, in_progress.id, assigned.id]
    assert get(f"enterprise_id={world.other_company.id}") == []
    assert get(f"department_id={world.nr.id}&status=assigned") == [assigned.id]
    assert get(f"assignee_id={world.liaison.id}&status=in_progress") == [in_progress.id]
    assert get("jurisdiction_id=" + str(factories.jurisdiction("411600").id)) == [
        closed.id,
        in_progress.id,
        assigned.id,
    ]
    assert get("jurisdiction_id=" + str(factories.jurisdiction("411603").id)) == []
    assert get("q=供电") == [in_progress.id]
    assert get(f"q={closed.number}") == [closed.id]
    assert get("q=100%25") == []  # a literal %, not a wildcard
    assert get("sort=created_at") == [assigned.id, in_progress.id, closed.id]
    assert get("created_from=2025-03-05&created_to=2025-03-06") == [in_progress.id]
    assert get("warning=red&status=assigned,in_progress") == [in_progress.id, assigned.id]  # long overdue by now
    assert get("warning=green") == []


def test_assignee_me(client, world, bearer, tickets):
    assert ids(client.get("/api/v1/tickets?assignee_id=me&status=assigned", headers=bearer(world.liaison))) == [
        tickets[0].id
    ]
    assert ids(client.get("/api/v1/tickets?assignee_id=me", headers=bearer(world.colleague))) == []


def test_sort_by_due_date(client, world, bearer, tickets):
    headers = bearer(world.admin)
    assert ids(client.get("/api/v1/tickets?sort=due_at", headers=headers)) == [t.id for t in tickets]
    assert ids(client.get("/api/v1/tickets?sort=-due_at", headers=headers)) == [t.id for t in reversed(tickets)]


def test_warning_is_computed_at_read_time(client, world, bearer, tickets):
    headers = bearer(world.owner)
    body = client.get(f"/api/v1/tickets/{tickets[0].id}", headers=headers).get_json()
    assert body["warning"] == "red"  # filed a week before a Tuesday of 2025: long overdue now
    assert client.get(f"/api/v1/tickets/{tickets[2].id}", headers=headers).get_json()["warning"] is None


@pytest.mark.parametrize("path", ["-1", "abc", "0", "1.5", "99999999999999999999", "%20"])
def test_odd_ids_are_404_never_500(client, world, bearer, path):
    headers = bearer(world.admin)
    for suffix in ("", "/events", "/comments", "/attachments"):
        assert_error_shape(client.get(f"/api/v1/tickets/{path}{suffix}", headers=headers), 404)
    assert_error_shape(client.post(f"/api/v1/tickets/{path}/actions", json={"action": "urge"}, headers=headers), 404)
    assert_error_shape(client.get(f"/api/v1/attachments/{path}", headers=headers), 404)
    assert_error_shape(client.patch(f"/api/v1/users/{path}", json={}, headers=headers), 404)


def test_unknown_query_arguments_on_endpoints_without_any_are_422(client, world, bearer, tickets):
    response = client.get(f"/api/v1/tickets/{tickets[0].id}?expand=all", headers=bearer(world.owner))
    assert_error_shape(response, 422)
    assert response.get_json()["errors"]["query"] == {"expand": ["Unknown field."]}


def test_unknown_api_path_and_wrong_method_are_json(client, world, bearer):
    assert_error_shape(client.get("/api/v1/nothing-here", headers=bearer(world.owner)), 404)
    assert_error_shape(client.put("/api/v1/tickets", headers=bearer(world.owner)), 405)


# ------------------------------------------------------------------ actions


def act(client, headers, ticket_id, **body):
    return client.post(f"/api/v1/tickets/{ticket_id}/actions", json=body, headers=headers)


def test_accept_resolve_confirm_through_the_api(client, world, bearer):
    owner, cadre = bearer(world.owner), bearer(world.liaison)
    ticket = file_as(client, owner).get_json()
    accepted = act(client, cadre, ticket["id"], action="accept", version=ticket["version"])
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["status"] == "in_progress"
    assert accepted.get_json()["first_response_at"] is not None
    resolved = act(client, cadre, ticket["id"], action="resolve", note="指标已下达")
    assert resolved.get_json()["status"] == "resolved" and resolved.get_json()["resolved_at"]
    confirmed = act(client, owner, ticket["id"], action="confirm", rating="satisfied")
    assert confirmed.get_json()["status"] == "closed"
    assert confirmed.get_json()["rating"] == "satisfied"
    events = client.get(f"/api/v1/tickets/{ticket['id']}/events", headers=owner).get_json()
    assert [e["action"] for e in events] == ["file", "accept", "resolve", "confirm"]
    assert events[2]["note"] == "指标已下达"
    assert events[1] | {"created_at": None, "id": None} == {
        "id": None,
        "action": "accept",
        "actor": {"id": world.liaison.id, "name": "王芳"},
        "from_status": "assigned",
        "to_status": "in_progress",
        "note": None,
        "internal": False,
        "created_at": None,
    }


def test_stale_version_is_409_and_changes_nothing(client, db, world, bearer):
    owner, cadre = bearer(world.owner), bearer(world.liaison)
    ticket = file_as(client, owner).get_json()
    assert act(client, cadre, ticket["id"], action="accept", version=ticket["version"]).status_code == 200
    stale = act(client, bearer(world.supervisor), ticket["id"], action="urge", version=ticket["version"])
    assert_error_shape(stale, 409)
    assert client.get(f"/api/v1/tickets/{ticket['id']}", headers=owner).get_json()["urge_count"] == 0


def test_action_the_status_does_not_allow_is_409(client, world, bearer):
    ticket = file_as(client, bearer(world.owner)).get_json()
    assert_error_shape(act(client, bearer(world.liaison), ticket["id"], action="resolve", note="done"), 409)


def test_action_the_role_may_not_take_is_403(client, world, bearer):
    ticket = file_as(client, bearer(world.owner)).get_json()
    assert_error_shape(act(client, bearer(world.owner), ticket["id"], action="accept"), 403)
    assert_error_shape(act(client, bearer(world.colleague), ticket["id"], action="accept"), 403)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"action": "fly"}, "action"),
        ({}, "action"),
        ({"action": "urge", "days": "many"}, "days"),
        ({"action": "extend", "days": 31, "note": "申请延期"}, "days"),
        ({"action": "extend", "note": "申请延期"}, "days"),
        ({"action": "decline"}, "note"),
        ({"action": "assign", "assignee_id": 2**40}, "assignee_id"),
    ],
)
def test_bad_action_input_is_422(client, world, bearer, body, field):
    ticket = file_as(client, bearer(world.owner)).get_json()
    response = act(client, bearer(world.supervisor), ticket["id"], **body)
    assert_error_shape(response, 422)
    assert field in response.get_json()["errors"]["json"]


def test_escalate_moves_handling_up_a_level(client, world, bearer):
    ticket = file_as(client, bearer(world.owner)).get_json()
    escalated = act(client, bearer(world.supervisor), ticket["id"], action="escalate", note="县级无法解决")
    assert escalated.status_code == 200
    body = escalated.get_json()
    assert body["handling_level"] == "city"
    assert body["handling_jurisdiction"]["level"] == "city"
    assert body["jurisdiction"]["level"] == "county"


def test_extend_and_urge_by_a_supervisor(client, world, bearer):
    ticket = file_as(client, bearer(world.owner)).get_json()
    headers = bearer(world.supervisor)
    urged = act(client, headers, ticket["id"], action="urge")
    assert urged.get_json()["urge_count"] == 1
    extended = act(client, headers, ticket["id"], action="extend", days=3, note="企业申请延期")
    assert extended.status_code == 200
    assert extended.get_json()["due_at"] > ticket["due_at"]


# ------------------------------------------------------------------ history and comments


def test_internal_events_and_comments_are_hidden_from_enterprise_users(client, world, bearer):
    owner, supervisor, cadre = bearer(world.owner), bearer(world.supervisor), bearer(world.liaison)
    ticket = file_as(client, owner).get_json()
    act(client, supervisor, ticket["id"], action="urge")
    note = client.post(
        f"/api/v1/tickets/{ticket['id']}/comments", json={"body": "内部意见", "internal": True}, headers=cadre
    )
    assert note.status_code == 201
    assert note.get_json()["internal"] is True
    public = client.post(f"/api/v1/tickets/{ticket['id']}/comments", json={"body": "已收到"}, headers=cadre)
    assert public.status_code == 201
    assert set(public.get_json()) == {"id", "author", "body", "internal", "created_at"}

    assert [e["action"] for e in client.get(f"/api/v1/tickets/{ticket['id']}/events", headers=owner).get_json()] == [
        "file"
    ]
    assert [e["action"] for e in client.get(f"/api/v1/tickets/{ticket['id']}/events", headers=cadre).get_json()] == [
        "file",
        "urge",
    ]
    assert [c["body"] for c in client.get(f"/api/v1/tickets/{ticket['id']}/comments", headers=owner).get_json()] == [
        "已收到"
    ]
    assert [c["body"] for c in client.get(f"/api/v1/tickets/{ticket['id']}/comments", headers=cadre).get_json()] == [
        "内部意见",
        "已收到",
    ]
    # The assignee's public comment is a first response.
    assert client.get(f"/api/v1/tickets/{ticket['id']}", headers=owner).get_json()["first_response_at"] is not None


def test_enterprise_user_cannot_write_internal_notes(client, world, bearer):
    owner = bearer(world.owner)
    ticket = file_as(client, owner).get_json()
    response = client.post(
        f"/api/v1/tickets/{ticket['id']}/comments", json={"body": "x", "internal": True}, headers=owner
    )
    assert_error_shape(response, 403)


@pytest.mark.parametrize("body", [{"body": ""}, {"body": "x" * 5001}, {}, {"body": "ok", "internal": "maybe"}])
def test_bad_comments_are_422(client, world, bearer, body):
    owner = bearer(world.owner)
    ticket = file_as(client, owner).get_json()
    assert_error_shape(client.post(f"/api/v1/tickets/{ticket['id']}/comments", json=body, headers=owner), 422)


def test_filed_ticket_is_in_the_database(client, db, world, bearer):
    body = file_as(client, bearer(world.owner)).get_json()
    ticket = db.session.get(Ticket, body["id"])
    assert ticket.created_by_id == world.owner.id
    db.session.refresh(db.session.get(User, world.liaison.id))
    assert datetime.fromisoformat(body["created_at"]) <= datetime.now(UTC)


@pytest.mark.parametrize(
    "changes",
    [{"title": "用地\x00指标问题"}, {"description": "扩建项目用地指标需要\ud800协调落实。"}, {"category": "land\x00"}],
)
def test_text_no_database_can_store_is_422(client, world, bearer, changes):
    response = file_as(client, bearer(world.owner), **changes)
    assert_error_shape(response, 422)
    assert list(response.get_json()["errors"]["json"]) == list(changes)


def test_nul_in_a_query_is_422(client, world, bearer):
    response = client.get("/api/v1/tickets?q=%00", headers=bearer(world.owner))
    assert_error_shape(response, 422)
    assert "q" in response.get_json()["errors"]["query"]


def test_nul_in_a_json_key_is_422(client, world, bearer):
    response = file_as(client, bearer(world.owner), **{"ti\x00tle": "x"})
    assert_error_shape(response, 422)


def test_json_nested_too_deeply_is_400(client, world, bearer):
    body = b"[" * 100_000 + b"]" * 100_000
    response = client.post("/api/v1/tickets", data=body, content_type="application/json", headers=bearer(world.owner))
    assert_error_shape(response, 400)


def test_routing_reason_is_in_the_callers_language(client, world, bearer, db):
    ticket_id = file_as(client, bearer(world.owner)).get_json()["id"]
    world.supervisor.locale = "en"
    db.session.flush()
    english = client.get(f"/api/v1/tickets/{ticket_id}", headers=bearer(world.supervisor)).get_json()
    chinese = client.get(f"/api/v1/tickets/{ticket_id}", headers=bearer(world.liaison)).get_json()
    assert english["routing_reason"].startswith("category Land at Chuanhui District → ")
    assert english["routing_reason"].endswith("; assigned to 王芳, paired cadre of the enterprise")
    assert chinese["routing_reason"].startswith("“用地保障”类诉求在川汇区 → 川汇区自然资源局")
    assert english["routing"] == chinese["routing"]
