"""Contract fuzzing with schemathesis: every operation of /api/v1/openapi.json, as an admin.

For each operation Hypothesis draws valid requests (positive mode) and invalid ones (negative mode)
from the OpenAPI document; every response must be below 500 and conform to the schema documented
for its status code. Path ids point at real objects, so requests reach the services instead of
stopping at 404. Bounded (MAX_EXAMPLES per operation and mode, no shrinking, derandomized) so
that it runs in the normal suite in well under a minute.

The operations are driven through `operation.as_strategy()` rather than schemathesis' pytest
plugin, whose test items do not run under pytest 9.
"""

from __future__ import annotations

import io

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from werkzeug.datastructures import FileStorage

from tests import factories

MAX_EXAMPLES = 30
CHECKS = [not_a_server_error, response_schema_conformance]
# Revoking the admin's token would leave the rest of the run unauthenticated (tests/api/test_auth.py covers it).
SKIPPED = {("DELETE", "/api/v1/auth/token")}


@pytest.fixture()
def scene(db):
    from helpdesk.attachments.services import store_attachment
    from helpdesk.auth.services import issue_token

    world = factories.World()
    ticket = world.ticket("in_progress")
    pdf = FileStorage(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), filename="x.pdf")
    attachment = store_attachment(world.admin, ticket, pdf)
    raw, _ = issue_token(world.admin)
    return {
        "headers": {"Authorization": f"Bearer {raw}"},
        "path": {
            "ticket_id": ticket.id,
            "attachment_id": attachment.id,
            "enterprise_id": world.company.id,
            "user_id": world.colleague.id,
        },
    }


@pytest.fixture()
def buffered_client(app, db):
    """The isolated test client, reading each response whole (so send_file responses are closed)."""

    class Buffered(type(app.test_client())):
        def open(self, *args, **kwargs):
            kwargs["buffered"] = True
            return super().open(*args, **kwargs)

    return Buffered(app, app.response_class)


def fuzz(operation, mode: GenerationMode, scene: dict, client) -> None:
    path = {p.name: scene["path"][p.name] for p in operation.path_parameters if p.name in scene["path"]}
    strategy = operation.as_strategy(mode, path_parameters=path or None, headers=scene["headers"])

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as drawn
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        case.headers = {**(case.headers or {}), **scene["headers"]}
        case.call_and_validate(session=client, checks=CHECKS)

    run()


@pytest.mark.fuzz
def test_api_conforms_to_its_openapi_document(app, scene, buffered_client):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                fuzz(operation, mode, scene, buffered_client)
            except Unsatisfiable:
                pass  # nothing to make invalid: an operation whose only parameter is a fixed id
            except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report them all
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {exc}")
    assert operations >= 20
    assert not failures, "\n\n".join(failures)
