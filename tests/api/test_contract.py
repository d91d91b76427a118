"""What the OpenAPI document promises a client, and that the server keeps it (issue 16).

Typed nullable references, the download's content types, the constraints the server enforces, list
filters in both spellings, the error answers of each operation, and 422 for an unknown category.
"""

from __future__ import annotations

import re

import pytest

from helpdesk.attachments.sniff import ALLOWED
from helpdesk.tickets.workflow import NOTE_ACTIONS
from tests import factories
from tests.api.conftest import assert_error_shape

NULLABLE_REFERENCES = [
    ("Ticket", "department"),
    ("Ticket", "assignee"),
    ("Ticket", "liaison"),
    ("Comment", "author"),
    ("Attachment", "uploader"),
    ("Event", "actor"),
    ("Enterprise", "liaison"),
]
ERROR = {"$ref": "#/components/schemas/Error"}


@pytest.fixture()
def document(client):
    return client.get("/api/v1/openapi.json").get_json()


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield method, path, operation


# -- 1. nullable references ----------------------------------------------------------------------


@pytest.mark.parametrize(("schema", "name"), NULLABLE_REFERENCES)
def test_nullable_references_are_the_referenced_schema_made_nullable(document, schema, name):
    component = document["components"]["schemas"][schema]
    prop = {k: v for k, v in component["properties"][name].items() if k != "description"}
    assert prop == {"allOf": [{"$ref": "#/components/schemas/Ref"}], "nullable": True}
    assert name in component["required"]  # always present, null or a reference: no "unset" third state


def test_no_reference_anywhere_is_a_union_with_any_object(document):
    text = str(document["components"]["schemas"])
    assert "anyOf" not in text
    assert "{'type': 'object', 'nullable': True}" not in text


# -- 2. download content types -------------------------------------------------------------------


def test_the_download_documents_every_type_a_file_can_have(document):
    response = document["paths"]["/api/v1/attachments/{attachment_id}"]["get"]["responses"]["200"]
    assert set(response["content"]) == {kind.mimetype for kind in ALLOWED}
    assert {"application/pdf", "image/png", "image/jpeg"} <= set(response["content"])
    for content in response["content"].values():
        assert content["schema"] == {"type": "string", "format": "binary"}


# -- 3. constraints ------------------------------------------------------------------------------


def test_enterprise_name_and_credit_code_constraints_are_stated(document):
    fields = document["components"]["schemas"]["EnterpriseCreate"]["properties"]
    assert (fields["name"]["minLength"], fields["name"]["maxLength"]) == (2, 200)
    code = fields["credit_code"]
    assert code["minLength"] == code["maxLength"] == 18
    pattern = re.compile(code["pattern"])
    for _ in range(20):
        assert pattern.match(factories.credit_code("411602"))
    valid = factories.credit_code("411602")
    for wrong in (valid.lower(), valid[:-1], valid + "0", "I" + valid[1:], valid[:2] + "A" + valid[3:]):
        assert not pattern.match(wrong), wrong


def test_user_email_is_documented_as_an_email(document):
    schemas = document["components"]["schemas"]
    assert schemas["User"]["properties"]["email"]["format"] == "email"
    assert schemas["UserCreate"]["properties"]["email"]["format"] == "email"


def test_enterprise_names_shorter_than_two_characters_are_422(client, world, bearer):
    body = {"name": "厂", "credit_code": factories.credit_code(), "jurisdiction_id": world.company.jurisdiction_id}
    response = client.post("/api/v1/enterprises", json=body, headers=bearer(world.admin))
    assert_error_shape(response, 422)
    assert "name" in response.get_json()["errors"]["json"]


def test_the_note_description_names_every_action_that_needs_one(document):
    description = document["components"]["schemas"]["Action"]["properties"]["note"]["description"]
    assert set(NOTE_ACTIONS) == {
        "transfer",
        "request_info",
        "provide_info",
        "resolve",
        "reopen",
        "withdraw",
        "decline",
        "extend",
    }
    for action in NOTE_ACTIONS:
        assert action in description
    assert "accept" not in description and "confirm" not in description


# Who may take each action that needs a note, on a ticket in which state, with what else it needs.
NOTE_CASES = {
    "transfer": ("supervisor", "assigned", {"department_id": "hrss"}),
    "request_info": ("liaison", "in_progress", {}),
    "provide_info": ("owner", "awaiting_enterprise", {}),
    "resolve": ("liaison", "in_progress", {}),
    "reopen": ("owner", "resolved", {}),
    "withdraw": ("owner", "assigned", {}),
    "decline": ("supervisor", "assigned", {}),
    "extend": ("supervisor", "assigned", {"days": 3}),
}


@pytest.mark.parametrize("note", ["missing", "", "   ", None])
@pytest.mark.parametrize("action", sorted(NOTE_CASES))
def test_an_action_without_its_note_is_422_naming_the_action(client, world, bearer, action, note):
    actor, status, extra = NOTE_CASES[action]
    ticket = world.ticket(status)
    body = {"action": action, **extra}
    if "department_id" in body:
        body["department_id"] = getattr(world, body["department_id"]).id
    if note != "missing":
        body["note"] = note
    response = client.post(f"/api/v1/tickets/{ticket.id}/actions", json=body, headers=bearer(getattr(world, actor)))
    error = assert_error_shape(response, 422)
    assert error["message"] == f"{action} needs a note."
    assert error["errors"] == {"json": {"note": [f"{action} needs a note."]}}
    body["note"] = "说明"
    done = client.post(f"/api/v1/tickets/{ticket.id}/actions", json=body, headers=bearer(getattr(world, actor)))
    assert done.status_code == 200, done.get_json()


@pytest.mark.parametrize("action", sorted(NOTE_CASES))
def test_every_needs_a_note_message_reads_in_chinese_on_the_pages(app, world, action):
    """The API answers in English; a page shows the same refusal in the reader's language."""
    from flask_babel import force_locale

    from helpdesk.errors import ValidationFailed
    from helpdesk.tickets.services import perform_action

    actor, status, extra = NOTE_CASES[action]
    extra = {k: getattr(world, v).id if k == "department_id" else v for k, v in extra.items()}
    with pytest.raises(ValidationFailed) as refused:
        perform_action(getattr(world, actor), world.ticket(status), action, note="  ", **extra)
    assert refused.value.field == "note" and refused.value.message == f"{action} needs a note."
    with app.test_request_context(), force_locale("zh_CN"):
        assert "需要填写说明" in refused.value.localized()


# -- 4. list parameters --------------------------------------------------------------------------


def test_the_status_filter_is_documented_as_repeatable_and_comma_separated(document):
    [status] = [p for p in document["paths"]["/api/v1/tickets"]["get"]["parameters"] if p["name"] == "status"]
    assert (status["style"], status["explode"]) == ("form", True)
    assert status["schema"]["type"] == "array"
    assert "comma" in status["description"] and "a,b" in status["description"]


@pytest.fixture()
def three(world):
    return world.ticket("assigned"), world.ticket("in_progress"), world.ticket("resolved")


def test_repeated_and_comma_separated_statuses_select_the_same_tickets(client, world, bearer, three):
    assigned, in_progress, resolved = three
    headers = bearer(world.supervisor)

    def listed(query: str) -> set[int]:
        response = client.get(f"/api/v1/tickets?{query}", headers=headers)
        assert response.status_code == 200, response.get_json()
        return {t["id"] for t in response.get_json()["items"]}

    both = {assigned.id, resolved.id}
    assert listed("status=assigned&status=resolved") == both
    assert listed("status=assigned,resolved") == both
    assert listed("status=resolved&status=assigned") == both
    assert listed("status=assigned,resolved&status=in_progress") == both | {in_progress.id}
    assert listed("status=resolved") == {resolved.id}


@pytest.mark.parametrize("query", ["status=", "status=resolved,", "status=resolved&status=open", "status=,"])
def test_an_empty_or_unknown_status_in_the_list_is_422(client, world, bearer, query):
    response = client.get(f"/api/v1/tickets?{query}", headers=bearer(world.supervisor))
    assert_error_shape(response, 422)
    assert "status" in response.get_json()["errors"]["query"]


# -- 5. error answers per operation --------------------------------------------------------------

REFUSED_BY_ROLE = {
    ("get", "/api/v1/users"),
    ("post", "/api/v1/users"),
    ("patch", "/api/v1/users/{user_id}"),
    ("patch", "/api/v1/users/me"),
    ("post", "/api/v1/enterprises"),
    ("post", "/api/v1/tickets/{ticket_id}/actions"),
    ("post", "/api/v1/tickets/{ticket_id}/comments"),
    ("post", "/api/v1/tickets/{ticket_id}/attachments"),
    ("get", "/api/v1/reports/resolution"),
}
CONFLICTS = {
    ("post", "/api/v1/users"),
    ("post", "/api/v1/enterprises"),
    ("post", "/api/v1/tickets"),
    ("post", "/api/v1/tickets/{ticket_id}/actions"),
}


def test_each_operation_lists_the_error_statuses_it_can_answer(document):
    for method, path, operation in operations(document):
        responses = operation["responses"]
        where = f"{method.upper()} {path}"
        if operation.get("security") != []:
            assert "401" in responses, where
        assert ("404" in responses) == ("{" in path), where
        assert "422" in responses, where
        if (method, path) in REFUSED_BY_ROLE:
            assert "403" in responses, where
        if (method, path) in CONFLICTS:
            assert "409" in responses, where
    upload = document["paths"]["/api/v1/tickets/{ticket_id}/attachments"]["post"]["responses"]
    assert {"413", "415"} <= set(upload)
    assert "429" in document["paths"]["/api/v1/auth/token"]["post"]["responses"]


def test_every_error_answer_carries_the_error_schema(document):
    responses_components = document["components"].get("responses", {})
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if status == "default" or status.startswith("2"):
                continue
            if "$ref" in response:
                response = responses_components[response["$ref"].rsplit("/", 1)[1]]
            assert response["content"]["application/json"]["schema"] == ERROR, (method, path, status)
            assert response["description"], (method, path, status)


def test_a_role_refusal_is_documented_with_its_message(document):
    refused = document["paths"]["/api/v1/users"]["get"]["responses"]["403"]["description"]
    assert refused == "Only admins manage users."
    report = document["paths"]["/api/v1/reports/resolution"]["get"]["responses"]["403"]["description"]
    assert "Reports are for government users." in report and "outside your scope" in report


# -- 7. unknown category -------------------------------------------------------------------------


def test_an_unknown_category_in_the_ticket_list_is_422_naming_the_field(client, world, bearer):
    response = client.get("/api/v1/tickets?category=unknown", headers=bearer(world.supervisor))
    body = assert_error_shape(response, 422)
    assert body["errors"] == {"query": {"category": ["No such category."]}}
    reports = client.get("/api/v1/reports/resolution?category=unknown", headers=bearer(world.supervisor))
    assert "category" in assert_error_shape(reports, 422)["errors"]["query"]
    assert client.get("/api/v1/tickets?category=tax", headers=bearer(world.supervisor)).status_code == 200
