"""Load: 20 concurrent clients file, accept, resolve and confirm for a bounded time; nothing
acknowledged is lost, and ticket numbers stay unique and gapless."""

from __future__ import annotations

import os
import threading
import time

from tests.reliability.harness import Stats, call, check_integrity, token, write_figures

CLIENTS = 20
SECONDS = float(os.environ.get("RELIABILITY_SECONDS", "60"))


def run_clients(server, cast, seconds: float, stats: Stats, acknowledged: dict, stop: threading.Event | None = None):
    base = server.base
    cadre_tokens = {uid: token(base, email) for uid, email in cast.cadres.items()}
    company_tokens = [(token(base, email), company) for email, company in cast.enterprises[:CLIENTS]]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(n: int):
        mine, company = company_tokens[n]
        i = 0
        while time.monotonic() < deadline and not (stop and stop.is_set()):
            i += 1
            status, body, took = call(
                "POST",
                f"{base}/api/v1/tickets",
                {
                    "category": "land",
                    "title": f"负载测试 {n}-{i}",
                    "description": "扩建项目需要新增用地指标，请协调。",
                    "priority": "normal",
                },
                mine,
                timeout=20,
            )
            stats.add(status, took)
            if status != 201:
                time.sleep(0.2)
                continue
            with lock:
                acknowledged[body["id"]] = body["number"]
            ticket_id = body["id"]
            assignee = (body.get("assignee") or {}).get("id")
            if assignee not in cadre_tokens:
                continue
            for action, who, extra in (
                ("accept", cadre_tokens[assignee], {}),
                ("resolve", cadre_tokens[assignee], {"note": "已协调解决。"}),
                ("confirm", mine, {"rating": "satisfied"}),
            ):
                status, _, took = call(
                    "POST", f"{base}/api/v1/tickets/{ticket_id}/actions", {"action": action, **extra}, who, timeout=20
                )
                stats.add(status, took)
                if status != 200:
                    break

    threads = [threading.Thread(target=client, args=(n,)) for n in range(min(CLIENTS, len(company_tokens)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)


def test_load_keeps_every_acknowledged_ticket(deployment):
    server, cast, url = deployment
    stats, acknowledged = Stats(), {}
    run_clients(server, cast, SECONDS, stats, acknowledged)
    figures = {**stats.summary(), **check_integrity(url, acknowledged), "clients": CLIENTS, "seconds": SECONDS}
    write_figures("load", figures)
    assert figures["acknowledged"] > 0
    assert set(stats.codes) <= {200, 201}, stats.codes
    assert figures["lost"] == 0 and figures["wrong_number"] == 0
    assert figures["duplicate_numbers"] == 0 and figures["series_with_gaps"] == 0
    assert figures["bad_replay"] == 0
