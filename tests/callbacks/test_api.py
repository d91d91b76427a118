"""The callbacks API: GET /api/v1/callbacks/queue, GET and POST /api/v1/tickets/{id}/callbacks, with the usual
visibility and error rules (403 role, 404 invisible, 409 not completed, 422 naming the field)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from helpdesk.db import utcnow
from helpdesk.tickets.services import perform_action
from tests.api.conftest import assert_error_shape
from tests.callbacks.conftest import completed


def recent(w, status: str = "closed", hours_ago: int = 30, rating: str | None = "satisfied"):
    """A ticket completed a little before now (the API reads the queue at the real clock)."""
    now = utcnow()
    ticket = w.ticket("in_progress", now=now - timedelta(hours=hours_ago + 1))
    perform_action(w.liaison, ticket, "resolve", note="指标已下达", now=now - timedelta(hours=hours_ago))
    if status == "closed":
        perform_action(w.owner, ticket, "confirm", rating=rating, now=now - timedelta(hours=hours_ago - 1))
    elif status == "auto_closed":
        perform_action(None, ticket, "auto_close", now=now - timedelta(hours=hours_ago - 1))
    return ticket


def _post(client, headers, ticket, **body):
    return client.post(f"/api/v1/tickets/{ticket.id}/callbacks", json=body, headers=headers)


def test_record_and_list_callbacks(client, w, bearer):
    ticket = completed(w, "closed")
    response = _post(client, bearer(w.supervisor), ticket, reached=True, solved=True, rating="satisfied", note="已核实")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) == {"id", "ticket_id", "caller", "at", "reached", "solved", "rating", "note"}
    assert body["caller"] == {"id": w.supervisor.id, "name": w.supervisor.name}
    assert (body["reached"], body["solved"], body["rating"], body["note"]) == (True, True, "satisfied", "已核实")

    _post(client, bearer(w.admin), ticket, reached=False)
    listed = client.get(f"/api/v1/tickets/{ticket.id}/callbacks", headers=bearer(w.liaison))
    assert listed.status_code == 200
    assert [(c["reached"], c["solved"], c["rating"]) for c in listed.get_json()] == [
        (True, True, "satisfied"),
        (False, None, None),
    ]


def test_not_solved_reopens_the_ticket(client, w, bearer):
    ticket = completed(w, "closed")
    response = _post(client, bearer(w.supervisor), ticket, reached=True, solved=False, note="问题仍在")
    assert response.status_code == 201
    got = client.get(f"/api/v1/tickets/{ticket.id}", headers=bearer(w.owner)).get_json()
    assert (got["status"], got["reopen_count"], got["resolved_at"]) == ("in_progress", 1, None)
    events = client.get(f"/api/v1/tickets/{ticket.id}/events", headers=bearer(w.owner)).get_json()
    assert events[-1]["action"] == "reopen_on_callback" and events[-1]["note"] == "问题仍在"
    assert "callback" not in [e["action"] for e in events]  # internal: hidden from the enterprise
    # Called back again while it is being redone: 409.
    again = _post(client, bearer(w.supervisor), ticket, reached=True, solved=True)
    assert_error_shape(again, 409)


def test_the_reopen_cannot_be_asked_for_as_an_action(client, w, bearer):
    ticket = completed(w, "closed")
    response = client.post(
        f"/api/v1/tickets/{ticket.id}/actions",
        json={"action": "reopen_on_callback", "note": "绕过回访"},
        headers=bearer(w.supervisor),
    )
    assert "action" in assert_error_shape(response, 422)["errors"]["json"]


@pytest.mark.parametrize(
    ("who", "method", "status"),
    [
        ("owner", "post", 403),
        ("owner", "get", 403),
        ("liaison", "post", 403),
        ("liaison", "get", 200),
        ("colleague", "get", 200),  # same department: sees the ticket
        ("hrss_cadre", "get", 404),  # another department: does not see it
        ("other_supervisor", "post", 404),
        ("other_supervisor", "get", 404),
        ("city_supervisor", "post", 201),
        ("admin", "get", 200),
    ],
)
def test_who_may_record_and_read(client, w, bearer, who, method, status):
    ticket = completed(w, "closed")
    headers = bearer(getattr(w, who))
    if method == "post":
        response = _post(client, headers, ticket, reached=True, solved=True)
    else:
        response = client.get(f"/api/v1/tickets/{ticket.id}/callbacks", headers=headers)
    if status >= 400:
        assert_error_shape(response, status)
    else:
        assert response.status_code == status, response.get_json()


def test_the_role_is_refused_before_the_body_is_read(client, w, bearer):
    ticket = completed(w, "closed")
    response = client.post(f"/api/v1/tickets/{ticket.id}/callbacks", data="not json", headers=bearer(w.owner))
    assert_error_shape(response, 403)


def test_an_absent_ticket_is_404(client, w, bearer):
    for method in (client.get, client.post):
        response = method("/api/v1/tickets/999999/callbacks", json={"reached": False}, headers=bearer(w.admin))
        assert_error_shape(response, 404)


@pytest.mark.parametrize("status", ["assigned", "in_progress", "withdrawn"])
def test_a_ticket_not_completed_is_409(client, w, bearer, status):
    ticket = w.ticket(status)
    body = assert_error_shape(_post(client, bearer(w.supervisor), ticket, reached=True, solved=True), 409)
    assert status in body["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reached": False, "solved": True}, "solved"),
        ({"reached": False, "rating": "satisfied"}, "rating"),
        ({"reached": True}, "solved"),
        ({"reached": True, "solved": False}, "note"),
        ({"reached": True, "solved": True, "rating": "great"}, "rating"),
        ({"solved": True}, "reached"),
        ({"reached": "yes"}, "reached"),
        ({"reached": 1}, "reached"),
        ({"reached": True, "solved": True, "note": "x" * 5001}, "note"),
        ({"reached": True, "solved": True, "extra": 1}, "extra"),
    ],
)
def test_a_wrong_field_is_422_naming_it(client, w, bearer, body, field):
    ticket = completed(w, "closed")
    error = assert_error_shape(_post(client, bearer(w.supervisor), ticket, **body), 422)
    assert field in error["errors"]["json"], error


# -- the queue ------------------------------------------------------------------------------------


def test_the_queue_is_paginated_like_the_ticket_list(client, w, bearer):
    auto_closed = recent(w, "auto_closed", hours_ago=50)
    reached = recent(w, "auto_closed", hours_ago=40)
    _post(client, bearer(w.supervisor), reached, reached=True, solved=True)
    response = client.get("/api/v1/callbacks/queue?per_page=5", headers=bearer(w.supervisor))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) == {"items", "page", "per_page", "total"} and (body["page"], body["per_page"]) == (1, 5)
    assert body["items"][0]["ticket"]["id"] == auto_closed.id
    assert body["items"][0]["reason"] == "auto_closed" and body["items"][0]["attempts"] == 0
    assert reached.id not in [item["ticket"]["id"] for item in body["items"]]
    assert body["total"] == len(body["items"])


@pytest.mark.parametrize("who", ["owner", "liaison"])
def test_the_queue_is_for_supervisors_and_admins(client, w, bearer, who):
    body = assert_error_shape(client.get("/api/v1/callbacks/queue", headers=bearer(getattr(w, who))), 403)
    assert body["message"] == "Callbacks are made by supervisors and admins."


@pytest.mark.parametrize("query", ["per_page=101", "page=0", "page=x", "sort=due_at"])
def test_bad_queue_parameters_are_422(client, w, bearer, query):
    assert_error_shape(client.get(f"/api/v1/callbacks/queue?{query}", headers=bearer(w.supervisor)), 422)


def test_figures_of_the_reports_api_carry_the_callback_rates(client, w, bearer):
    ticket = recent(w, "closed")
    _post(client, bearer(w.supervisor), ticket, reached=True, solved=True)
    for path in ("/api/v1/reports/resolution", "/api/v1/reports/dashboard"):
        body = client.get(path, headers=bearer(w.supervisor)).get_json()
        assert body["overall"]["callback_rate"] == 1.0, path
        assert body["overall"]["verified_solved_rate"] == 1.0, path


def test_the_exports_carry_the_callback_rates(client, w, bearer):
    ticket = recent(w, "closed")
    _post(client, bearer(w.supervisor), ticket, reached=True, solved=False, note="仍未解决")
    response = client.get("/api/v1/reports/resolution?format=csv", headers=bearer(w.supervisor))
    header, overall = response.get_data(as_text=True).lstrip("\ufeff").splitlines()[:2]
    values = dict(zip(header.split(","), overall.split(",")))
    assert values["callback_rate"] == "" and values["verified_solved_rate"] == "0.0"  # reopened: nothing completed


def test_the_document_describes_the_callbacks_api(client):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    assert {"403", "404", "409", "422"} <= set(paths["/api/v1/tickets/{ticket_id}/callbacks"]["post"]["responses"])
    assert {"403", "422"} <= set(paths["/api/v1/callbacks/queue"]["get"]["responses"])
    figures = document["components"]["schemas"]["Figures"]["properties"]
    assert {"callback_rate", "verified_solved_rate"} <= set(figures)
