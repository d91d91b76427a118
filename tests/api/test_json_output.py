"""The API's JSON as its readers get it (helpdesk/jsonio.py writes it with orjson)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tests import factories


def test_a_ticket_is_written_in_utf8_with_its_keys_sorted(client, world, bearer):
    ticket = factories.file(world.owner, title='供电线路改造审批 "加急" ✓')
    response = client.get(f"/api/v1/tickets/{ticket.id}", headers=bearer(world.owner))
    raw = response.get_data()
    assert response.mimetype == "application/json"
    assert '"title":"供电线路改造审批 \\"加急\\" ✓"'.encode() in raw  # UTF-8, not \u escapes; quotes escaped
    assert b"\\u" not in raw
    body = json.loads(raw)
    assert body["title"] == '供电线路改造审批 "加急" ✓'
    assert list(body) == sorted(body)
    assert list(body["category"]) == sorted(body["category"])


def test_what_orjson_cannot_write_is_written_as_flask_would(app):
    with app.app_context():
        assert app.json.dumps({"n": 2**70, "a": 1}) == '{"a":1,"n":1180591620717411303424}'
        assert app.json.response({"n": -(2**65)}).get_data() == b'{"n":-36893488147419103232}\n'
        assert (
            app.json.response({"text": "需要\ud800协调"}).get_data()
            == b'{"text":"\\u9700\\u8981\\ud800\\u534f\\u8c03"}\n'
        )
        # dates as Flask writes them (RFC 822), not orjson's ISO 8601
        assert (
            app.json.dumps({"at": datetime(2026, 12, 4, 8, 0, tzinfo=UTC)}) == '{"at":"Fri, 04 Dec 2026 08:00:00 GMT"}'
        )
        assert app.json.dumps({"b": [1, 2]}, indent=2) == '{\n  "b": [\n    1,\n    2\n  ]\n}'
