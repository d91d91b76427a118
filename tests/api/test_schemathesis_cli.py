"""schemathesis' own command line, every check on, against the API served for real (issue 16).

`schemathesis run --checks all` reads the live document and runs its phases (examples, coverage,
fuzzing, stateful) as an admin, with the path ids pointing at real objects so requests reach the
services. Bounded: a few examples per operation, one worker, a fixed seed, no shrinking, and a
timeout on the whole run. tests/api/test_fuzz.py drives schemathesis' generation in-process; this
one is the tool exactly as a client developer or CI would run it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

import pytest

from tests.api.live import live_api

MAX_EXAMPLES = 8
TIMEOUT = 240  # seconds for the whole run; it takes well under half of that on an idle machine

# The document states the shape of each request; some well-shaped ones still break a rule only the
# database knows (a category code that does not exist, a credit code's check character, a note the
# action needs, an enterprise the caller cannot see): those answer 422. An upload is judged by its
# content (413, 415), which a schema cannot describe. So positive data may meet these documented answers.
CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "409", "413", "415", "422", "429"]

[parameters]
"path.ticket_id" = {ticket}
"path.attachment_id" = {attachment}
"path.enterprise_id" = {company}
"path.user_id" = {colleague}

# Revoking the admin's token would leave the rest of the run unauthenticated (tests/api/test_auth.py covers it).
[[operations]]
include-name = "DELETE /api/v1/auth/token"
enabled = false

# With the ticket_id pinned above, an out-of-range id generated to be refused would become a real ticket, whose
# removal from a common issue the run created is rightly accepted: pin one that is in no common issue (404).
[[operations]]
include-name = "DELETE /api/v1/common-issues/{{issue_id}}/tickets/{{ticket_id}}"
parameters = {{ "path.ticket_id" = 2147483647 }}
"""


@pytest.mark.fuzz
def test_schemathesis_cli_with_every_check_finds_nothing(tmp_path):
    pytest.importorskip("schemathesis", reason="schemathesis is not installed (the test extra)")
    with live_api(tmp_path) as server:
        config = tmp_path / "schemathesis.toml"
        config.write_text(CONFIG.format(**server.ids), encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(config),
            "--no-color",
            "run",
            f"{server.base}/api/v1/openapi.json",
            "--checks",
            "all",
            "--header",
            f"Authorization: Bearer {server.tokens['admin']}",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--workers",
            "1",
            "--seed",
            "16",
            "--no-shrink",
            "--request-timeout",
            "20",
            "--generation-database",
            "none",
        ]
        run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT)
        with urllib.request.urlopen(f"{server.base}/api/v1/openapi.json", timeout=10) as response:
            paths = json.load(response)["paths"].values()
    operations = sum(1 for item in paths for method in item if method != "parameters")
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-12000:]
    summary = output[output.rindex("SUMMARY") :]
    tested = operations - 1  # all but DELETE /auth/token
    assert f"Selected: {tested}/{operations}" in summary and f"Tested: {tested}" in summary, summary
    for phase in ("Coverage", "Fuzzing", "Stateful"):
        assert f"✅ {phase}" in summary, summary
    print(summary)  # shown with -s: operations, phases and how many test cases ran
