"""GET /common-issues/candidates: groups of similar open tickets of different enterprises, from the stored edges."""

from __future__ import annotations

import pytest

from helpdesk.extensions import db
from helpdesk.tickets.models import Ticket
from tests import factories as f

OUTAGE = "lianhua-substation-outages"
URL = "/api/v1/common-issues/candidates"


def get(client, headers, **params):
    return client.get(URL, query_string=params, headers=headers)


def test_groups_are_largest_first_and_span_enterprises(client, w, corpus, bearer):
    response = get(client, bearer(w.city_supervisor))
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert items
    assert [g["enterprise_count"] for g in items] == sorted((g["enterprise_count"] for g in items), reverse=True)
    outage = {t.id for t in corpus.group(OUTAGE)}
    best = max(items, key=lambda g: len(outage & set(g["ticket_ids"])))
    assert len(outage & set(best["ticket_ids"])) >= 3 and best["category"] == "utilities"
    assert best["label"] in {t.title for t in corpus.tickets.values()}
    for group in items:
        tickets = [db.session.get(Ticket, i) for i in group["ticket_ids"]]
        assert group["enterprise_count"] == len({t.enterprise_id for t in tickets}) >= 2


@pytest.mark.parametrize("who, status", [("owner", 403), ("liaison", 403), ("supervisor", 200), ("admin", 200)])
def test_supervisors_and_admins_only(client, w, corpus, bearer, who, status):
    assert get(client, bearer(getattr(w, who))).status_code == status


def test_a_county_supervisor_sees_groups_of_its_county_only(client, w, corpus, bearer):
    county = f.jurisdiction("411602").id
    for group in get(client, bearer(w.supervisor)).get_json()["items"]:
        assert {db.session.get(Ticket, i).jurisdiction_id for i in group["ticket_ids"]} == {county}
    outside = get(client, bearer(w.supervisor), jurisdiction_id=f.jurisdiction("411603").id)
    assert outside.status_code == 422 and "jurisdiction_id" in str(outside.get_json()["errors"])


def test_filters(client, w, corpus, bearer):
    headers = bearer(w.admin)
    for group in get(client, headers, category="utilities").get_json()["items"]:
        assert {db.session.get(Ticket, i).category.code for i in group["ticket_ids"]} == {"utilities"}
    assert get(client, headers, min_enterprises=100).get_json()["items"] == []
    assert get(client, headers, to="2025-03-10").get_json()["items"] == []  # all were filed on 2025-03-11
    assert get(client, headers, **{"from": "2025-03-11", "to": "2025-03-12"}).get_json()["items"]
    assert get(client, headers, category="nope").status_code == 422


def test_tickets_in_a_common_issue_are_left_out(client, w, corpus, bearer):
    outage = corpus.group(OUTAGE)
    body = {
        "title": "莲花变电站频繁停电",
        "lead_department_id": f.department("411600", "power").id,
        "ticket_ids": [t.id for t in outage],
    }
    assert client.post("/api/v1/common-issues", json=body, headers=bearer(w.city_supervisor)).status_code == 201
    found = {i for g in get(client, bearer(w.city_supervisor)).get_json()["items"] for i in g["ticket_ids"]}
    assert not found & {t.id for t in outage}
