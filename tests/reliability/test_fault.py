"""Fault: PostgreSQL restarts in the middle of a load run. While it is down the app answers 503
quickly; it recovers by itself without restarting gunicorn; no acknowledged ticket is lost."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.reliability.harness import Stats, call, check_integrity, token, write_figures
from tests.reliability.test_load import run_clients


def cluster_command(action: str) -> list[str] | None:
    if not shutil.which("pg_ctlcluster") or os.geteuid() != 0:
        return None
    versions = sorted(p.name for p in Path("/etc/postgresql").iterdir()) if Path("/etc/postgresql").exists() else []
    return ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", action] if versions else None


def test_database_restart_gives_503_then_recovers(deployment):
    stop_cmd, start_cmd = cluster_command("stop"), cluster_command("start")
    if stop_cmd is None:
        pytest.skip("needs root and pg_ctlcluster to stop and start the local PostgreSQL")
    server, cast, url = deployment
    stats, acknowledged = Stats(), {}
    supervisor = token(server.base, cast.supervisor)
    load = threading.Thread(target=run_clients, args=(server, cast, 40, stats, acknowledged))
    load.start()
    warm_until = time.monotonic() + 30
    while sum(stats.codes.values()) < 40 and time.monotonic() < warm_until:  # the load is under way
        time.sleep(0.2)
    subprocess.run(stop_cmd + ["--", "-m", "fast"], check=True, capture_output=True)
    down = Stats()
    try:
        down_until = time.monotonic() + 4
        while time.monotonic() < down_until:
            status, body, took = call("GET", f"{server.base}/readyz", timeout=10)
            down.add(status, took)
            status, body, took = call("GET", f"{server.base}/api/v1/tickets", token=supervisor, timeout=10)
            down.add(status, took)
            time.sleep(0.1)
    finally:
        subprocess.run(start_cmd, check=True, capture_output=True)
    recovered_after = None
    started = time.monotonic()
    while time.monotonic() - started < 30:
        if call("GET", f"{server.base}/readyz", timeout=10)[0] == 200:
            recovered_after = time.monotonic() - started
            break
        time.sleep(0.5)
    load.join(120)
    figures = {
        "during_outage": down.summary(),
        "load": stats.summary(),
        "recovered_after_s": recovered_after,
        **check_integrity(url, acknowledged),
    }
    write_figures("fault", figures)
    # While the database is down: 503 (never 500, never a 401 for a valid token), answered quickly.
    assert down.codes and set(down.codes) == {503}, down.codes
    assert down.percentile(0.95) < 5.0
    assert 500 not in stats.codes, stats.codes
    assert recovered_after is not None, "the app did not recover without a restart"
    status, _, _ = call("GET", f"{server.base}/healthz")
    assert status == 200
    assert figures["lost"] == 0 and figures["duplicate_numbers"] == 0 and figures["series_with_gaps"] == 0
    assert figures["bad_replay"] == 0
