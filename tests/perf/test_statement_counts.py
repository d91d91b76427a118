"""SQL statements per API request (issue 13): GET ticket ≤ 4 (sends ≤ 3), GET list of 25 ≤ 5, POST ticket ≤ 14.

Each test sends the request once to warm what a long-running worker keeps between requests, then
counts the statements of the same request sent again (see conftest.py for what is counted).
The limits are the issue's targets.
"""

from __future__ import annotations

import pytest

from tests import factories

NEW_TICKET = {
    "category": "utilities",
    "title": "厂区供电电压不稳定",
    "description": "厂区近一周供电电压波动频繁，影响设备运行，请协调供电公司。",
    "priority": "normal",
}


@pytest.fixture()
def crowded(world):
    """30 tickets of two companies of 川汇区 in several categories and states, so a lazy load per row would show."""
    statuses = ["assigned", "in_progress", "resolved", "closed", "awaiting_enterprise"]
    for n in range(20):
        world.ticket(statuses[n % len(statuses)])
    for n, category in enumerate(["utilities", "finance", "labor", "policy", "tax"] * 2):
        factories.file(world.stranger, category=category, title=f"第{n}个诉求：办理进度缓慢")
    return world


def _twice(send):
    """The first response warms the process; the second is the one counted."""
    assert send().status_code < 400


@pytest.mark.parametrize(
    "who", ["supervisor", "city_supervisor", "admin", "owner", "liaison", "colleague", "finance_cadre"]
)
def test_get_ticket_sends_2_statements_whoever_asks(client, crowded, bearer, count_statements, who):
    """The issue's limit is 4. The token with its user; the ticket with its details and, in the same statement, a
    supervisor's subtree or a cadre's co-handled tickets and led issues; nothing per relation."""
    ticket = crowded.ticket("in_progress")
    if who == "finance_cadre":
        from helpdesk.extensions import db
        from helpdesk.tickets.models import TicketCohandler

        db.session.add(TicketCohandler(ticket_id=ticket.id, department_id=crowded.finance.id))
        db.session.commit()
    headers = bearer(getattr(crowded, who))
    _twice(lambda: client.get(f"/api/v1/tickets/{ticket.id}", headers=headers))
    with count_statements() as log:
        response = client.get(f"/api/v1/tickets/{ticket.id}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["routing_reason"]
    assert len(log) <= 2, str(log)


def test_a_ticket_outside_the_supervisors_subtree_is_still_not_found(client, crowded, bearer):
    ticket = crowded.ticket("in_progress")  # 川汇区
    assert client.get(f"/api/v1/tickets/{ticket.id}", headers=bearer(crowded.other_supervisor)).status_code == 404
    assert client.get(f"/api/v1/tickets/{ticket.id}", headers=bearer(crowded.city_supervisor)).status_code == 200


def test_get_list_of_25_sends_at_most_5_statements(client, crowded, bearer, count_statements):
    headers = bearer(crowded.supervisor)
    _twice(lambda: client.get("/api/v1/tickets?per_page=25", headers=headers))
    with count_statements() as log:
        response = client.get("/api/v1/tickets?per_page=25", headers=headers)
    assert response.status_code == 200
    assert len(response.get_json()["items"]) == 25
    assert len(log) <= 5, str(log)


def test_the_first_page_reads_its_total_with_its_rows(client, crowded, bearer, count_statements):
    """Page 1 carries the total as a column of the page's statement (unfiltered, a supervisor's is summed from the
    counts per jurisdiction: tickets/counts.py); a later page reads the total first, and a page past the end reads
    no rows at all."""
    headers = bearer(crowded.supervisor)
    url = "/api/v1/tickets?per_page=7"
    _twice(lambda: client.get(url, headers=headers))
    with count_statements() as first:
        body = client.get(url, headers=headers).get_json()
    with count_statements() as second:
        later = client.get(url + "&page=2", headers=headers).get_json()
    with count_statements() as past:
        beyond = client.get(url + "&page=9", headers=headers).get_json()
    assert body["total"] == later["total"] == beyond["total"] == 30
    assert len(body["items"]) == len(later["items"]) == 7 and beyond["items"] == []
    assert {t["id"] for t in body["items"]}.isdisjoint(t["id"] for t in later["items"])
    counted = [statement for statement in first if "ticket_counts" in statement or "count(*)" in statement]
    assert len(counted) == 1 and "LIMIT" in counted[0], str(first)
    assert len(second) == len(first) + 1, (str(first), str(second))
    assert len(past) == len(first) and not any("LIMIT" in statement for statement in past), str(past)


def test_an_empty_first_page_still_has_its_total(client, crowded, bearer):
    body = client.get("/api/v1/tickets?per_page=25&q=没有这样的诉求", headers=bearer(crowded.supervisor)).get_json()
    assert body == {"items": [], "page": 1, "per_page": 25, "total": 0}


@pytest.mark.parametrize(
    "category",
    [
        "utilities",  # 川汇区's power company has no cadre: the ticket waits in its queue
        "land",  # the liaison's department: assigned, the liaison notified (in-app and an email in the outbox)
    ],
)
def test_post_ticket_sends_at_most_14_statements(client, crowded, bearer, count_statements, category):
    headers = bearer(crowded.owner)
    _twice(lambda: client.post("/api/v1/tickets", json=NEW_TICKET, headers=headers))
    with count_statements() as log:
        body = {**NEW_TICKET, "category": category, "title": "供电再次中断"}
        response = client.post("/api/v1/tickets", json=body, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["status"] == ("assigned" if category == "land" else "submitted")
    assert len(log) <= 14, str(log)


def test_fixture_savepoints_are_not_counted_but_the_apps_own_are(db, count_statements):
    """The counter leaves out the session's outermost SAVEPOINT/RELEASE only (the fixture's BEGIN/COMMIT)."""
    from sqlalchemy import text

    with count_statements() as log:
        db.session.execute(text("SELECT 1"))  # the session opens the fixture's savepoint first
        nested = db.session.begin_nested()
        db.session.execute(text("SELECT 2"))
        nested.rollback()
        with db.session.begin_nested():
            db.session.execute(text("SELECT 3"))
        db.session.commit()  # releases the fixture's savepoint
    assert [s.split()[0] for s in log] == [
        "SELECT",
        "SAVEPOINT",
        "SELECT",
        "ROLLBACK",
        "SAVEPOINT",
        "SELECT",
        "RELEASE",
    ]


def test_similar_lookup_sends_at_most_6_statements(client, crowded, bearer, count_statements):
    """The token, the df of the query's terms with N, the lookup (one statement), the tickets with details."""
    from helpdesk.common_issues.indexing import index_pending

    index_pending()
    headers = bearer(crowded.supervisor)
    body = {"title": "厂区供电电压不稳定", "description": "电压波动频繁，影响设备运行", "category": "utilities"}
    _twice(lambda: client.post("/api/v1/tickets/similar", json=body, headers=headers))
    with count_statements() as log:
        response = client.post("/api/v1/tickets/similar", json=body, headers=headers)
    assert response.status_code == 200 and response.get_json()["items"]
    assert len(log) <= 6, str(log)
