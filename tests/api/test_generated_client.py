"""A Python client generated from the live OpenAPI document (openapi-python-client) walks a ticket from
filing to confirmation against a real server, with typed models only: what a client developer would do.

The document is read from the running server, the client is generated into a temporary folder and
imported from there. Skipped, saying why, when the generator is not installed (`pip install -e '.[test]'`).
"""

from __future__ import annotations

import importlib
import io
import json
import subprocess
import sys
import urllib.request

import pytest

from tests.api.live import live_api

pytest.importorskip("openapi_python_client", reason="openapi-python-client is not installed (the test extra)")
pytest.importorskip("httpx", reason="httpx (needed by the generated client) is not installed")

PACKAGE = "helpdesk_api_client"
# The download's content types are binary files: the generator handles them under their common name.
BINARY_TYPES = (
    "application/pdf",
    "image/png",
    "image/jpeg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_api(tmp_path_factory.mktemp("client-server")) as live:
        yield live


@pytest.fixture(scope="module")
def generated(server, tmp_path_factory):
    """The generated package, imported from a temporary folder (and forgotten afterwards)."""
    folder = tmp_path_factory.mktemp("generated")
    with urllib.request.urlopen(f"{server.base}/api/v1/openapi.json", timeout=10) as response:
        (folder / "openapi.json").write_bytes(response.read())
    overrides = "".join(f"  {kind}: application/octet-stream\n" for kind in BINARY_TYPES)
    (folder / "config.yaml").write_text(
        f"post_hooks: []\nproject_name_override: helpdesk-api-client\npackage_name_override: {PACKAGE}\n"
        f"content_type_overrides:\n{overrides}",
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", "openapi.json"]
        + ["--config", "config.yaml", "--output-path", "client", "--fail-on-warning"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    sys.path.insert(0, str(folder / "client"))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder / "client"))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def module(name: str):
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_a_generated_client_walks_a_ticket_from_filing_to_confirmation(server, generated):
    models = module("models")
    tickets = "api.api_tickets."
    file_ticket = module(tickets + "post_api_v1_tickets")
    act = module(tickets + "post_api_v1_tickets_ticket_id_actions")
    get_ticket = module(tickets + "get_api_v1_tickets_ticket_id")
    list_tickets = module(tickets + "get_api_v1_tickets")
    events = module(tickets + "get_api_v1_tickets_ticket_id_events")
    comment = module(tickets + "post_api_v1_tickets_ticket_id_comments")
    upload = module("api.api_attachments.post_api_v1_tickets_ticket_id_attachments")
    download = module("api.api_attachments.get_api_v1_attachments_attachment_id")
    types = module("types")

    def client(person: str):
        return generated.AuthenticatedClient(base_url=server.base, token=server.tokens[person], timeout=10.0)

    with client("owner") as owner, client("liaison") as liaison:
        body = models.TicketCreate(
            category="land", title="扩建项目用地指标", description="企业扩建生产线需新增用地，指标需要协调。"
        )
        filed = file_ticket.sync_detailed(client=owner, body=body)
        assert filed.status_code == 201, filed.content
        ticket = filed.parsed
        assert isinstance(ticket, models.Ticket)
        assert ticket.status == models.TicketStatus.ASSIGNED
        # The nullable references parse as models, not dicts.
        assert isinstance(ticket.assignee, models.Ref) and ticket.assignee.id == server.ids["liaison"]
        assert isinstance(ticket.liaison, models.Ref) and ticket.liaison.id == server.ids["liaison"]
        assert isinstance(ticket.department, models.Ref) and ticket.department.name
        assert ticket.first_response_at is None

        accepted = act.sync(
            ticket.id, client=liaison, body=models.Action(action=models.ActionAction.ACCEPT, version=ticket.version)
        )
        assert isinstance(accepted, models.Ticket) and accepted.status == models.TicketStatus.IN_PROGRESS

        # An action that needs a note, without one: a typed error naming the action.
        refused = act.sync_detailed(ticket.id, client=liaison, body=models.Action(action=models.ActionAction.RESOLVE))
        assert refused.status_code == 422 and isinstance(refused.parsed, models.Error)
        assert refused.parsed.message == "resolve needs a note."

        note = comment.sync(ticket.id, client=owner, body=models.CommentCreate(body="二期用地红线图已上传。"))
        assert isinstance(note, models.Comment) and isinstance(note.author, models.Ref)
        assert note.author.id == server.ids["owner"]

        pdf = types.File(payload=io.BytesIO(b"%PDF-1.4\n%%EOF\n"), file_name="红线图.pdf", mime_type="application/pdf")
        attached = upload.sync(ticket.id, client=owner, body=models.Upload(file=pdf))
        assert isinstance(attached, models.Attachment), attached
        assert isinstance(attached.uploader, models.Ref) and attached.content_type == "application/pdf"
        served = download.sync_detailed(attached.id, client=liaison)
        assert served.status_code == 200 and served.headers["content-type"] == "application/pdf"
        assert isinstance(served.parsed, types.File) and served.parsed.payload.read() == b"%PDF-1.4\n%%EOF\n"

        resolved = act.sync(
            ticket.id, client=liaison, body=models.Action(action=models.ActionAction.RESOLVE, note="指标已下达")
        )
        assert isinstance(resolved, models.Ticket) and resolved.status == models.TicketStatus.RESOLVED

        # The generated client sends a list filter as repeated parameters: both values count.
        status = models.GetApiV1TicketsStatusItem
        page = list_tickets.sync(client=owner, status=[status.RESOLVED, status.CLOSED], per_page=100)
        assert isinstance(page, models.TicketPage)
        assert ticket.id in {item.id for item in page.items}
        assert all(item.status in ("resolved", "closed") for item in page.items)

        # A nullable enum (`enum: [..., null]`) comes out as a union of enum types; the first is the plain one.
        satisfied = models.ActionRatingType1.SATISFIED
        confirmed = act.sync(
            ticket.id, client=owner, body=models.Action(action=models.ActionAction.CONFIRM, rating=satisfied)
        )
        assert isinstance(confirmed, models.Ticket), confirmed
        assert confirmed.status == models.TicketStatus.CLOSED and confirmed.closed_at is not None

        final = get_ticket.sync(ticket.id, client=owner)
        assert isinstance(final, models.Ticket) and str(final.rating) == "satisfied"
        history = events.sync(ticket.id, client=owner)
        assert [event.action for event in history] == ["file", "accept", "resolve", "confirm"]
        assert all(isinstance(event, models.Event) for event in history)
        assert all(event.actor is None or isinstance(event.actor, models.Ref) for event in history)
        assert history[1].actor.id == server.ids["liaison"]


def test_errors_reach_the_generated_client_as_typed_error_models(server, generated):
    models = module("models")
    users = module("api.api_auth.get_api_v1_users")
    get_ticket = module("api.api_tickets.get_api_v1_tickets_ticket_id")
    with generated.AuthenticatedClient(base_url=server.base, token=server.tokens["owner"]) as owner:
        refused = users.sync_detailed(client=owner)
        assert refused.status_code == 403 and isinstance(refused.parsed, models.Error)
        assert refused.parsed.message == "Only admins manage users."
        missing = get_ticket.sync_detailed(2_000_000_000, client=owner)
        assert missing.status_code == 404 and isinstance(missing.parsed, models.Error)
    with generated.AuthenticatedClient(base_url=server.base, token="not-a-token") as stranger:
        unauthorised = get_ticket.sync_detailed(server.ids["ticket"], client=stranger)
        assert unauthorised.status_code == 401 and isinstance(unauthorised.parsed, models.Error)
        assert json.loads(unauthorised.content)["code"] == 401
