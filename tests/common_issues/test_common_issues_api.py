"""Common issues (共性问题) through the API: who may create, see, change and resolve one; resolving resolves
every linked open ticket through the workflow and tells every enterprise; a reopened ticket leaves the group."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.common_issues.models import CommonIssueEvent
from helpdesk.extensions import db
from helpdesk.notifications.models import OutboxMessage
from helpdesk.tickets.models import Ticket, TicketEvent
from helpdesk.tickets.services import perform_action
from tests import factories as f

OUTAGE = "lianhua-substation-outages"


@pytest.fixture()
def outage(corpus):
    return corpus.group(OUTAGE)


def power():
    return f.department("411600", "power")


def create(client, headers, tickets, **extra):
    body = {
        "title": "莲花变电站线路频繁停电",
        "description": "经开区多家企业反映莲花变电站出线跳闸",
        "lead_department_id": power().id,
        "ticket_ids": [t.id for t in tickets],
        **extra,
    }
    return client.post("/api/v1/common-issues", json=body, headers=headers)


def owner_of(corpus, ticket):
    return next(u for k, u in corpus.owners.items() if corpus.companies[k].id == ticket.enterprise_id)


def test_a_city_supervisor_creates_one_from_tickets_of_two_counties(client, w, corpus, outage, bearer):
    response = create(client, bearer(w.city_supervisor), outage)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "open" and body["jurisdiction"]["id"] == f.jurisdiction("411600").id
    assert body["ticket_count"] == len(outage) and body["enterprise_count"] == len({t.enterprise_id for t in outage})
    assert body["category"]["code"] == "utilities" and body["lead_department"]["id"] == power().id
    assert sorted(t["id"] for t in body["tickets"]) == sorted(t.id for t in outage)
    ticket = client.get(f"/api/v1/tickets/{outage[0].id}", headers=bearer(w.city_supervisor)).get_json()
    assert ticket["common_issue"] == {"id": body["id"], "title": "莲花变电站线路频繁停电"}
    events = db.session.scalars(select(TicketEvent).where(TicketEvent.action == "common_issue_linked")).all()
    assert len(events) == len(outage) and not any(e.internal for e in events)
    actions = [e.action for e in db.session.scalars(select(CommonIssueEvent).order_by(CommonIssueEvent.id))]
    assert actions == ["created"] + ["ticket_added"] * len(outage)


@pytest.mark.parametrize(
    "who, status",
    [
        ("owner", 403),
        ("liaison", 403),
        ("supervisor", 422),
        ("other_supervisor", 422),
        ("city_supervisor", 201),
        ("admin", 201),
    ],
)
def test_who_may_create_one(client, w, corpus, outage, bearer, who, status):
    # The county supervisors cannot see the other county's tickets: 422 naming ticket_ids; a cadre or an
    # enterprise may not create one at all.
    user = owner_of(corpus, outage[0]) if who == "owner" else getattr(w, who)
    extra = {"jurisdiction_id": f.jurisdiction("411600").id} if who == "admin" else {}
    response = create(client, bearer(user), outage, **extra)
    assert response.status_code == status, response.get_json()
    if status == 422:
        assert "ticket_ids" in response.get_json()["errors"]["json"]


def test_a_county_supervisor_creates_one_for_its_county(client, w, corpus, outage, bearer):
    mine = [t for t in outage if t.jurisdiction_id == f.jurisdiction("411602").id]
    response = create(client, bearer(w.supervisor), mine, lead_department_id=f.department("411602", "nr").id)
    assert response.status_code == 201
    assert response.get_json()["jurisdiction"]["id"] == f.jurisdiction("411602").id
    # Not above its own county.
    other = create(client, bearer(w.supervisor), mine, jurisdiction_id=f.jurisdiction("411600").id)
    assert other.status_code == 422 and "jurisdiction_id" in other.get_json()["errors"]["json"]


def test_a_ticket_in_another_common_issue_or_closed_is_409(client, w, corpus, outage, bearer):
    headers = bearer(w.city_supervisor)
    assert create(client, headers, outage[:2]).status_code == 201
    assert create(client, headers, outage[1:3]).status_code == 409
    closed = w.ticket("closed")
    assert create(client, bearer(w.admin), [closed], jurisdiction_id=f.jurisdiction("411602").id).status_code == 409


def test_validation_names_the_field(client, w, corpus, outage, bearer):
    headers = bearer(w.city_supervisor)
    for extra, field in (
        ({"title": "停"}, "title"),
        ({"ticket_ids": []}, "ticket_ids"),
        ({"ticket_ids": [99999999]}, "ticket_ids"),
        ({"category": "nope"}, "category"),
        ({"lead_department_id": 99999999}, "lead_department_id"),
    ):
        response = create(client, headers, outage, **extra)
        assert response.status_code == 422, (extra, response.get_json())
        assert field in response.get_json()["errors"]["json"], (extra, response.get_json())


def test_visibility_of_a_common_issue(client, w, corpus, outage, bearer):
    issue = create(client, bearer(w.city_supervisor), outage).get_json()
    owner = owner_of(corpus, outage[0])
    lead = f.fast_user("cadre", department_id=power().id)
    expect = {
        w.city_supervisor: (200, len(outage)),
        w.admin: (200, len(outage)),
        lead: (200, len(outage)),  # its department leads it: it sees every linked ticket
        owner: (200, sum(t.enterprise_id == outage[0].enterprise_id for t in outage)),
        w.supervisor: (200, sum(t.jurisdiction_id == f.jurisdiction("411602").id for t in outage)),
        w.stranger: (404, None),
        w.liaison: (404, None),
    }
    for user, (status, visible) in expect.items():
        response = client.get(f"/api/v1/common-issues/{issue['id']}", headers=bearer(user))
        assert response.status_code == status, user
        listed = client.get("/api/v1/common-issues", headers=bearer(user)).get_json()
        assert (issue["id"] in [i["id"] for i in listed["items"]]) == (status == 200), user
        if status == 200:
            assert len(response.get_json()["tickets"]) == visible, user
            assert response.get_json()["ticket_count"] == len(outage)


def test_add_and_remove_tickets_while_open(client, w, corpus, outage, bearer):
    headers = bearer(w.city_supervisor)
    issue = create(client, headers, outage[:2]).get_json()
    response = client.post(
        f"/api/v1/common-issues/{issue['id']}/tickets", json={"ticket_ids": [outage[2].id]}, headers=headers
    )
    assert response.status_code == 200 and response.get_json()["ticket_count"] == 3
    again = client.post(
        f"/api/v1/common-issues/{issue['id']}/tickets", json={"ticket_ids": [outage[2].id]}, headers=headers
    )
    assert again.status_code == 409
    response = client.delete(f"/api/v1/common-issues/{issue['id']}/tickets/{outage[0].id}", headers=headers)
    assert response.status_code == 200 and response.get_json()["ticket_count"] == 2
    assert (
        client.delete(f"/api/v1/common-issues/{issue['id']}/tickets/{outage[0].id}", headers=headers).status_code == 404
    )
    unlinked = db.session.scalars(select(TicketEvent).where(TicketEvent.action == "common_issue_unlinked")).all()
    assert [e.ticket_id for e in unlinked] == [outage[0].id]
    # A cadre may not change it; a county supervisor of one county may not either (the city owns it).
    lead = f.fast_user("cadre", department_id=power().id)
    refused = client.post(
        f"/api/v1/common-issues/{issue['id']}/tickets", json={"ticket_ids": [outage[0].id]}, headers=bearer(lead)
    )
    assert refused.status_code == 403
    assert (
        client.patch(
            f"/api/v1/common-issues/{issue['id']}", json={"title": "新的标题内容"}, headers=bearer(w.supervisor)
        ).status_code
        == 403
    )
    patched = client.patch(f"/api/v1/common-issues/{issue['id']}", json={"title": "新的标题内容"}, headers=headers)
    assert patched.status_code == 200 and patched.get_json()["title"] == "新的标题内容"


def test_resolving_resolves_every_open_ticket_and_tells_every_enterprise(client, w, corpus, outage, bearer):
    issue = create(client, bearer(w.city_supervisor), outage).get_json()
    before = {m.id for m in db.session.scalars(select(OutboxMessage))}
    lead = f.fast_user("cadre", department_id=power().id)
    assert (
        client.post(
            f"/api/v1/common-issues/{issue['id']}/resolve",
            json={"resolution_note": "已改造"},
            headers=bearer(w.supervisor),
        ).status_code
        == 403
    )  # sees it, but the city owns it
    response = client.post(
        f"/api/v1/common-issues/{issue['id']}/resolve",
        json={"resolution_note": "线路已改造，新增出线两回"},
        headers=bearer(lead),
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "resolved" and response.get_json()["open_ticket_count"] == 0
    db.session.expire_all()
    for ticket in outage:
        assert db.session.get(Ticket, ticket.id).status == "resolved"
        event = db.session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.action == "resolve_common")
        ).one()
        assert event.note == "线路已改造，新增出线两回" and event.actor_id == lead.id
    new = [m for m in db.session.scalars(select(OutboxMessage)) if m.id not in before]
    told = {m.recipient_id for m in new if m.payload.get("kind") == "resolved"}
    assert {owner_of(corpus, t).id for t in outage} <= told
    again = client.post(
        f"/api/v1/common-issues/{issue['id']}/resolve", json={"resolution_note": "再次"}, headers=bearer(lead)
    )
    assert again.status_code == 409
    added = client.post(
        f"/api/v1/common-issues/{issue['id']}/tickets", json={"ticket_ids": [w.ticket().id]}, headers=bearer(w.admin)
    )
    assert added.status_code == 409
    missing = client.post(f"/api/v1/common-issues/{issue['id']}/resolve", json={}, headers=bearer(w.admin))
    assert missing.status_code == 422 and "resolution_note" in missing.get_json()["errors"]["json"]


def test_a_reopened_ticket_leaves_the_group(client, w, corpus, outage, bearer):
    issue = create(client, bearer(w.city_supervisor), outage).get_json()
    response = client.post(
        f"/api/v1/common-issues/{issue['id']}/resolve",
        json={"resolution_note": "线路已改造"},
        headers=bearer(w.city_supervisor),
    )
    assert response.status_code == 200
    owner = owner_of(corpus, outage[0])
    ticket = db.session.get(Ticket, outage[0].id)
    db.session.refresh(ticket)
    perform_action(owner, ticket, "reopen", note="还是停电")
    db.session.flush()
    assert ticket.common_issue_id is None and ticket.status == "in_progress"
    body = client.get(f"/api/v1/common-issues/{issue['id']}", headers=bearer(w.city_supervisor)).get_json()
    assert body["ticket_count"] == len(outage) - 1
    actions = [
        e.action
        for e in db.session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
        )
    ]
    assert actions[-2:] == ["common_issue_unlinked", "reopen"]
    left = db.session.scalars(select(CommonIssueEvent).where(CommonIssueEvent.action == "ticket_left")).one()
    assert left.ticket_id == ticket.id


def test_an_enterprise_sees_the_link_and_only_its_own_ticket(client, w, corpus, outage, bearer):
    issue = create(client, bearer(w.city_supervisor), outage).get_json()
    owner = owner_of(corpus, outage[0])
    body = client.get(f"/api/v1/common-issues/{issue['id']}", headers=bearer(owner)).get_json()
    assert {t["enterprise"]["id"] for t in body["tickets"]} == {outage[0].enterprise_id}
    events = client.get(f"/api/v1/tickets/{outage[0].id}/events", headers=bearer(owner)).get_json()
    assert "common_issue_linked" in [e["action"] for e in events]


def test_an_admins_common_issue_belongs_to_the_lowest_jurisdiction_above_its_tickets(client, w, corpus, outage, bearer):
    response = create(client, bearer(w.admin), outage)
    assert response.status_code == 201
    assert response.get_json()["jurisdiction"]["id"] == f.jurisdiction("411600").id  # two counties: the city
    linked = {t.id for t in outage}
    county = f.jurisdiction("411603").id
    one_county = [t for t in corpus.tickets.values() if t.jurisdiction_id == county and t.id not in linked][:1]
    response = create(client, bearer(w.admin), one_county)
    assert response.status_code == 201 and response.get_json()["jurisdiction"]["id"] == f.jurisdiction("411603").id
