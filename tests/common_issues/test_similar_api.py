"""POST /tickets/similar and GET /tickets/{id}/similar: the most similar tickets the caller may see."""

from __future__ import annotations

import pytest

from helpdesk.extensions import db
from helpdesk.tickets.queries import visible_tickets
from tests import factories as f

OUTAGE = "lianhua-substation-outages"


def visible_ids(user) -> set[int]:
    return {t.id for t in db.session.scalars(visible_tickets(user))}


def county(code: str) -> int:
    return f.jurisdiction(code).id


def people(w, corpus) -> dict:
    """One person of each role and reach, the outage group's first company's user among them."""
    first = corpus.group(OUTAGE)[0]
    owner = next(u for k, u in corpus.owners.items() if corpus.companies[k].id == first.enterprise_id)
    return {
        "enterprise": owner,
        "other_enterprise": w.stranger,
        "cadre": f.fast_user("cadre", department_id=first.department_id),
        "supervisor": w.supervisor,
        "other_supervisor": w.other_supervisor,
        "city_supervisor": w.city_supervisor,
        "admin": w.admin,
    }


@pytest.mark.parametrize(
    "who", ["enterprise", "other_enterprise", "cadre", "supervisor", "other_supervisor", "city_supervisor", "admin"]
)
def test_similar_shows_only_what_the_caller_may_see(client, w, corpus, bearer, who):
    user = people(w, corpus)[who]
    first = corpus.group(OUTAGE)[0]
    body = {"title": first.title, "description": first.description, "category": "utilities", "limit": 20}
    response = client.post("/api/v1/tickets/similar", json=body, headers=bearer(user))
    assert response.status_code == 200, response.get_json()
    items = response.get_json()["items"]
    found = [item["ticket"]["id"] for item in items]
    visible = visible_ids(user)
    assert set(found) <= visible
    outage_visible = {t.id for t in corpus.group(OUTAGE)} & visible
    # Every visible member of the group is among the best 20, and nothing the caller may not see.
    assert outage_visible <= set(found)
    if first.id in visible:
        assert found[0] == first.id and items[0]["score"] > 0.99
    scores = [item["score"] for item in items]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    if who == "enterprise":
        assert {item["ticket"]["enterprise"]["id"] for item in items} == {first.enterprise_id}
    if who == "other_enterprise":
        assert items == []
    if who in ("city_supervisor", "admin"):
        assert len(outage_visible) == len(corpus.group(OUTAGE))
        assert {item["ticket"]["jurisdiction"]["id"] for item in items} == {county("411602"), county("411603")}
    if who in ("supervisor", "other_supervisor"):
        code = "411602" if who == "supervisor" else "411603"
        assert {item["ticket"]["jurisdiction"]["id"] for item in items} == {county(code)}


def test_similar_to_a_ticket_excludes_it_and_finds_its_group(client, w, corpus, bearer):
    group = corpus.group(OUTAGE)
    response = client.get(f"/api/v1/tickets/{group[0].id}/similar?limit=5", headers=bearer(w.admin))
    assert response.status_code == 200
    found = [item["ticket"]["id"] for item in response.get_json()["items"]]
    assert group[0].id not in found and len(found) == 5
    assert len(set(found[:3]) & {t.id for t in group}) >= 2


def test_the_default_limit_is_5_and_at_most_20(client, w, corpus, bearer):
    ticket = corpus.group(OUTAGE)[0]
    headers = bearer(w.admin)
    assert len(client.get(f"/api/v1/tickets/{ticket.id}/similar", headers=headers).get_json()["items"]) == 5
    assert len(client.get(f"/api/v1/tickets/{ticket.id}/similar?limit=20", headers=headers).get_json()["items"]) == 20
    for limit in (0, 21):
        response = client.get(f"/api/v1/tickets/{ticket.id}/similar?limit={limit}", headers=headers)
        assert response.status_code == 422 and "limit" in str(response.get_json())
    body = {"title": ticket.title, "limit": 21}
    response = client.post("/api/v1/tickets/similar", json=body, headers=headers)
    assert response.status_code == 422 and "limit" in str(response.get_json())


def test_an_unknown_category_or_missing_title_is_422_naming_it(client, w, corpus, bearer):
    headers = bearer(w.admin)
    response = client.post("/api/v1/tickets/similar", json={"title": "停电", "category": "nope"}, headers=headers)
    assert response.status_code == 422 and "category" in str(response.get_json())
    response = client.post("/api/v1/tickets/similar", json={"description": "停电"}, headers=headers)
    assert response.status_code == 422 and "title" in str(response.get_json())


def test_a_ticket_the_caller_may_not_see_is_404(client, w, corpus, bearer):
    ticket = corpus.group(OUTAGE)[0]
    assert client.get(f"/api/v1/tickets/{ticket.id}/similar", headers=bearer(w.stranger)).status_code == 404
    assert client.get("/api/v1/tickets/99999999/similar", headers=bearer(w.admin)).status_code == 404


def test_a_ticket_filed_moments_ago_finds_its_group_before_it_is_indexed(client, w, corpus, bearer):
    group = corpus.group(OUTAGE)
    fresh = f.file(w.owner, category="utilities", title=group[1].title, description=group[1].description)
    response = client.get(f"/api/v1/tickets/{fresh.id}/similar", headers=bearer(w.admin))
    found = [item["ticket"]["id"] for item in response.get_json()["items"]]
    assert found[0] == group[1].id
