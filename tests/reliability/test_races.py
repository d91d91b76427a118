"""Races: 50 concurrent resolve, reopen, transfer and urge calls on the same tickets. Every
answer is 200 or 409, each final status is one the workflow allows, and the log replays to it."""

from __future__ import annotations

import random
import threading

from tests.reliability.harness import Stats, call, check_integrity, token, write_figures

CALLS = 50
TICKETS = 3


def test_concurrent_actions_answer_200_or_409(deployment):
    server, cast, url = deployment
    base = server.base
    cadre_tokens = {uid: token(base, email) for uid, email in cast.cadres.items()}
    supervisor = token(base, cast.supervisor)
    companies = [(token(base, email), company) for email, company in cast.enterprises[:TICKETS]]
    supervisor = token(base, cast.supervisor)
    tickets = []
    for mine, _company in companies:
        status, body, _ = call(
            "POST",
            f"{base}/api/v1/tickets",
            {"category": "land", "title": "并发测试工单", "description": "用于并发操作测试的工单内容。"},
            mine,
        )
        assert status == 201, body
        assignee = cadre_tokens[body["assignee"]["id"]]
        status, body, _ = call("POST", f"{base}/api/v1/tickets/{body['id']}/actions", {"action": "accept"}, assignee)
        assert status == 200, body
        # The other department co-handles (协办), so whichever of the two holds the ticket after a
        # transfer, every caller below can still see it: a refusal is then a conflict, not a 404.
        other = next(d for d in cast.departments if d != body["department"]["id"])
        status, body, _ = call(
            "POST",
            f"{base}/api/v1/tickets/{body['id']}/actions",
            {"action": "add_cohandler", "department_id": other},
            supervisor,
        )
        assert status == 200, body
        tickets.append((body["id"], mine))

    stats, barrier = Stats(), threading.Barrier(CALLS)
    rng = random.Random(7)
    plan = [(rng.choice(tickets), rng.choice(("resolve", "reopen", "transfer", "urge"))) for _ in range(CALLS)]

    def one(n: int):
        (ticket_id, company_token), action = plan[n]
        status, current, took = call("GET", f"{base}/api/v1/tickets/{ticket_id}", token=supervisor)
        stats.add(status, took)
        body = {"action": action, "version": current["version"]}
        if action == "resolve":
            who = cadre_tokens.get((current.get("assignee") or {}).get("id"), supervisor)
            body["note"] = "并发办结。"
        elif action == "reopen":
            who, body["note"] = company_token, "没有解决，重办。"
        elif action == "transfer":
            department = current["department"]["id"]
            who = supervisor
            body.update(note="转交另一部门办理。", department_id=next(d for d in cast.departments if d != department))
        else:
            who = supervisor
        barrier.wait(30)
        status, _, took = call("POST", f"{base}/api/v1/tickets/{ticket_id}/actions", body, who)
        stats.add(status, took)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(CALLS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)

    finals = {}
    for ticket_id, _ in tickets:
        status, body, _ = call("GET", f"{base}/api/v1/tickets/{ticket_id}", token=supervisor)
        finals[ticket_id] = body["status"]
    figures = {**stats.summary(), **check_integrity(url, {}), "final_statuses": sorted(finals.values())}
    write_figures("races", figures)
    assert set(stats.codes) <= {200, 409}, stats.codes
    assert 409 in stats.codes and 200 in stats.codes
    assert set(finals.values()) <= {"submitted", "assigned", "in_progress", "resolved"}
    assert figures["bad_replay"] == 0 and figures["duplicate_numbers"] == 0
