"""Who sees which ticket, on every endpoint that names one, and which roles are refused what (PRODUCT.md §7).

A ticket the caller may not see answers 404 everywhere, exactly like a ticket that does not exist.
"""

from __future__ import annotations

import io

import pytest

from tests import factories

PDF = b"%PDF-1.4\n%%EOF\n"


class Scene:
    """Three tickets around the World of tests/factories.py.

    own:   the company's ticket (川汇区 411602), assigned to its liaison in 自然资源局 (nr);
    same:  another company of 川汇区, transferred to 人社局 (hrss): same county, another department;
    other: a company of 淮阳区 (411603), another county.
    """

    def __init__(self, world):
        from werkzeug.datastructures import FileStorage

        from helpdesk.attachments.services import store_attachment
        from helpdesk.tickets.services import perform_action

        self.world = world
        self.own = world.ticket("assigned")
        self.same = factories.file(world.stranger)
        perform_action(world.supervisor, self.same, "transfer", department_id=world.hrss.id, note="转人社局")
        huaiyang = factories.enterprise("411603")
        self.huaiyang_owner = factories.fast_enterprise_user(huaiyang)
        self.other = factories.file(self.huaiyang_owner)
        # 协办: 川汇区财政局 co-handles the own ticket.
        perform_action(world.supervisor, self.own, "add_cohandler", department_id=world.finance.id)
        self.attachments = {
            name: store_attachment(world.admin, ticket, FileStorage(io.BytesIO(PDF), filename="x.pdf")).id
            for name, ticket in (("own", self.own), ("same", self.same), ("other", self.other))
        }

    def ticket(self, name):
        return getattr(self, name)


@pytest.fixture()
def scene(world):
    return Scene(world)


ENDPOINTS = {
    "GET ticket": lambda c, h, t, a: c.get(f"/api/v1/tickets/{t}", headers=h),
    "GET events": lambda c, h, t, a: c.get(f"/api/v1/tickets/{t}/events", headers=h),
    "GET comments": lambda c, h, t, a: c.get(f"/api/v1/tickets/{t}/comments", headers=h),
    "POST comments": lambda c, h, t, a: c.post(f"/api/v1/tickets/{t}/comments", json={"body": "请尽快处理"}, headers=h),
    "GET attachments": lambda c, h, t, a: c.get(f"/api/v1/tickets/{t}/attachments", headers=h),
    "POST attachments": lambda c, h, t, a: c.post(
        f"/api/v1/tickets/{t}/attachments",
        data={"file": (io.BytesIO(PDF), "y.pdf")},
        headers=h,
        content_type="multipart/form-data",
    ),
    "POST actions": lambda c, h, t, a: c.post(f"/api/v1/tickets/{t}/actions", json={"action": "urge"}, headers=h),
    "GET attachment": lambda c, h, t, a: c.get(f"/api/v1/attachments/{a}", headers=h),
}

SEES, HIDDEN = True, False

# (viewer, ticket, sees?): every role × (own, same jurisdiction, other jurisdiction), then the other ways in.
MATRIX = [
    ("owner", "own", SEES),
    ("owner", "same", HIDDEN),
    ("owner", "other", HIDDEN),
    ("liaison", "own", SEES),  # its assignee and liaison
    ("liaison", "same", HIDDEN),  # same county, another department
    ("liaison", "other", HIDDEN),
    ("supervisor", "own", SEES),
    ("supervisor", "same", SEES),  # the whole county
    ("supervisor", "other", HIDDEN),
    ("admin", "own", SEES),
    ("admin", "same", SEES),
    ("admin", "other", SEES),
    ("stranger", "same", SEES),  # the other company's own user
    ("stranger", "own", HIDDEN),
    ("colleague", "own", SEES),  # the department's queue
    ("hrss_cadre", "same", SEES),  # assigned after the transfer
    ("hrss_cadre", "own", HIDDEN),
    ("finance_cadre", "own", SEES),  # co-handling department (协办)
    ("finance_cadre", "same", HIDDEN),
    ("city_supervisor", "own", SEES),  # the city's subtree holds every county
    ("city_supervisor", "same", SEES),
    ("city_supervisor", "other", SEES),
    ("other_supervisor", "other", SEES),
    ("other_supervisor", "own", HIDDEN),
    ("huaiyang_owner", "other", SEES),
    ("huaiyang_owner", "own", HIDDEN),
    ("city_cadre", "own", HIDDEN),  # another jurisdiction's department
]


def _viewer(scene, name):
    return getattr(scene, name) if hasattr(scene, name) else getattr(scene.world, name)


@pytest.mark.parametrize("viewer, ticket, sees", MATRIX, ids=[f"{v}-{t}" for v, t, _ in MATRIX])
def test_visibility_on_every_endpoint_naming_a_ticket(client, bearer, scene, viewer, ticket, sees):
    headers = bearer(_viewer(scene, viewer))
    ticket_id, attachment_id = scene.ticket(ticket).id, scene.attachments[ticket]
    for endpoint, call in ENDPOINTS.items():
        response = call(client, headers, ticket_id, attachment_id)
        response.get_data()
        response.close()
        assert response.status_code < 500, (endpoint, response.get_data(as_text=True))
        if sees and endpoint.startswith("GET"):
            assert response.status_code == 200, (endpoint, response.get_json())
        elif sees:
            assert response.status_code != 404, (endpoint, response.get_json())
        else:
            assert response.status_code == 404, (endpoint, response.status_code)
            assert response.get_json()["code"] == 404


def test_a_hidden_ticket_looks_exactly_like_a_missing_one(client, bearer, scene):
    headers = bearer(scene.world.owner)
    hidden = client.get(f"/api/v1/tickets/{scene.other.id}", headers=headers)
    missing = client.get("/api/v1/tickets/2147483647", headers=headers)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json() == missing.get_json()


def test_lists_hold_only_visible_tickets(client, bearer, scene):
    def listed(person):
        body = client.get("/api/v1/tickets?per_page=100", headers=bearer(person)).get_json()
        return {t["id"] for t in body["items"]}

    world = scene.world
    assert listed(world.owner) == {scene.own.id}
    assert listed(world.liaison) == {scene.own.id}
    assert listed(world.supervisor) == {scene.own.id, scene.same.id}
    assert listed(world.admin) >= {scene.own.id, scene.same.id, scene.other.id}


def test_the_list_answers_each_viewer_of_the_matrix_with_its_own_tickets(client, bearer, scene):
    """The list's statement is built once per shape of visibility (an enterprise, a cadre, a subtree…) and serves
    every caller of that shape: viewers of one shape asked one after another each get their own tickets."""
    tickets = {name: scene.ticket(name).id for name in ("own", "same", "other")}
    by_viewer: dict[str, set[int]] = {}  # a pair the matrix does not name is hidden
    for viewer, ticket, sees in MATRIX:
        by_viewer.setdefault(viewer, set())
        if sees:
            by_viewer[viewer].add(tickets[ticket])
    order = ["owner", "stranger", "huaiyang_owner", "liaison", "colleague", "hrss_cadre", "finance_cadre", "city_cadre"]
    order += ["supervisor", "other_supervisor", "city_supervisor", "admin", "supervisor", "owner"]
    for viewer in order:
        body = client.get("/api/v1/tickets?per_page=100", headers=bearer(_viewer(scene, viewer))).get_json()
        mine = {t["id"] for t in body["items"]} & set(tickets.values())
        assert mine == by_viewer[viewer], viewer
        assert body["total"] == len(body["items"]), viewer


# ------------------------------------------------------------------ role × endpoint: 403 where the role may not


ROLE_ENDPOINTS = {
    "GET reports": lambda c, h, w: c.get("/api/v1/reports/resolution", headers=h),
    "GET users": lambda c, h, w: c.get("/api/v1/users", headers=h),
    "POST users": lambda c, h, w: c.post(
        "/api/v1/users",
        json={"email": "x@example.cn", "name": "新人", "password": "long enough", "role": "admin"},
        headers=h,
    ),
    "PATCH user": lambda c, h, w: c.patch(f"/api/v1/users/{w.colleague.id}", json={"name": "李强"}, headers=h),
    "POST enterprises": lambda c, h, w: c.post(
        "/api/v1/enterprises",
        json={
            "name": "周口新企业有限公司",
            "credit_code": factories.credit_code("411602"),
            "jurisdiction_id": factories.jurisdiction("411602").id,
        },
        headers=h,
    ),
}
ALLOWED = {
    "owner": set(),
    "liaison": {"GET reports", "POST enterprises"},
    "supervisor": {"GET reports", "POST enterprises"},
    "admin": set(ROLE_ENDPOINTS),
}
ROLE_CASES = [(role, endpoint) for role in ALLOWED for endpoint in ROLE_ENDPOINTS]


@pytest.mark.parametrize("role, endpoint", ROLE_CASES, ids=[f"{r}-{e}" for r, e in ROLE_CASES])
def test_roles_are_refused_what_they_may_not_do(client, bearer, world, role, endpoint):
    response = ROLE_ENDPOINTS[endpoint](client, bearer(getattr(world, role)), world)
    if endpoint in ALLOWED[role]:
        assert response.status_code in (200, 201), response.get_json()
    else:
        assert response.status_code == 403, response.get_json()
        assert response.get_json()["code"] == 403


# (action, who may): on a visible ticket every other role is refused with 403.
ACTIONS = {
    "accept": "liaison",
    "urge": "supervisor",
    "withdraw": "owner",
    "decline": "supervisor",
}
ACTION_CASES = [(action, role) for action in ACTIONS for role in ("owner", "liaison", "supervisor", "admin")]


@pytest.mark.parametrize("action, role", ACTION_CASES, ids=[f"{a}-{r}" for a, r in ACTION_CASES])
def test_actions_a_role_may_not_take_are_403(client, bearer, world, action, role):
    ticket = world.ticket("assigned")
    response = client.post(
        f"/api/v1/tickets/{ticket.id}/actions",
        json={"action": action, "note": "理由"},
        headers=bearer(getattr(world, role)),
    )
    assert response.status_code == (200 if ACTIONS[action] == role else 403), response.get_json()
