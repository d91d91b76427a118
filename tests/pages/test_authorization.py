"""The authorization matrix of the pages: role × (own, same jurisdiction, other jurisdiction) ticket ×
(ticket page, action post) → 200 / 302 / 403 / 404.

- own: the enterprise's own ticket, the cadre's assigned ticket, a ticket of the supervisor's county;
- same: another company's ticket in the same county (川汇区), handled by another department;
- other: a ticket of a company in another county (淮阳区).
A ticket the user cannot see is 404 for the page and for every post (absent and invisible look alike);
a visible ticket with an action the role may not take is 403; an allowed action redirects (302).
"""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.pages.conftest import act, text

KINDS = ("own", "same", "other")

# role → (page status per kind, (allowed action, data), status per kind, (forbidden action, data), status per kind)
MATRIX = {
    "enterprise": (
        {"own": 200, "same": 404, "other": 404},
        ("withdraw", {"note": "已自行解决"}),
        {"own": 302, "same": 404, "other": 404},
        ("urge", {}),
        {"own": 403, "same": 404, "other": 404},
    ),
    "cadre": (
        {"own": 200, "same": 404, "other": 404},
        ("accept", {}),
        {"own": 302, "same": 404, "other": 404},
        ("decline", {"note": "重复诉求"}),
        {"own": 403, "same": 404, "other": 404},
    ),
    "supervisor": (
        {"own": 200, "same": 200, "other": 404},
        ("urge", {}),
        {"own": 302, "same": 302, "other": 404},
        ("accept", {}),
        {"own": 403, "same": 403, "other": 404},
    ),
    "admin": (
        {"own": 200, "same": 200, "other": 200},
        ("decline", {"note": "x"}),
        {"own": 403, "same": 403, "other": 403},  # decline: supervisors only
        ("urge", {}),
        {"own": 403, "same": 403, "other": 403},
    ),
}


@pytest.fixture()
def tickets(w):
    own = w.ticket("assigned")  # 川汇区, land → 自然资源局, assigned to w.liaison
    same = f.file(f.fast_enterprise_user(w.other_company), category="finance")  # 川汇区 → 财政局 (finance_cadre)
    faraway = f.enterprise("411603")
    other = f.file(f.fast_enterprise_user(faraway), category="land")  # 淮阳区
    assert same.assignee_id == w.finance_cadre.id and other.jurisdiction_id != own.jurisdiction_id
    return {"own": own, "same": same, "other": other}


def _person(w, role):
    return {"enterprise": w.owner, "cadre": w.liaison, "supervisor": w.supervisor, "admin": w.admin}[role]


@pytest.mark.parametrize("role", MATRIX)
@pytest.mark.parametrize("kind", KINDS)
def test_ticket_page(w, login, tickets, role, kind):
    expected = MATRIX[role][0][kind]
    response = login(_person(w, role)).get(f"/tickets/{tickets[kind].id}")
    assert response.status_code == expected
    if expected == 404:
        assert tickets[kind].title not in text(response)


@pytest.mark.parametrize("role", MATRIX)
@pytest.mark.parametrize("kind", KINDS)
def test_allowed_action_post(w, login, tickets, role, kind):
    (action, data), expected = MATRIX[role][1], MATRIX[role][2][kind]
    assert act(login(_person(w, role)), tickets[kind], action, **data).status_code == expected


@pytest.mark.parametrize("role", MATRIX)
@pytest.mark.parametrize("kind", KINDS)
def test_forbidden_action_post(w, login, tickets, role, kind):
    (action, data), expected = MATRIX[role][3], MATRIX[role][4][kind]
    assert act(login(_person(w, role)), tickets[kind], action, **data).status_code == expected


@pytest.mark.parametrize("role", MATRIX)
@pytest.mark.parametrize("kind", KINDS)
def test_comment_and_upload_posts_follow_visibility(w, login, tickets, role, kind):
    client = login(_person(w, role))
    visible = MATRIX[role][0][kind] == 200
    comment = client.post(f"/tickets/{tickets[kind].id}/comments", data={"body": "查看进度"})
    assert comment.status_code == (302 if visible else 404)
    upload = client.post(f"/tickets/{tickets[kind].id}/attachments", data={}, content_type="multipart/form-data")
    assert upload.status_code == (422 if visible else 404)


def test_the_admin_assigns_any_ticket(w, login, tickets):
    client = login(w.admin)
    assert act(client, tickets["own"], "assign", assignee_id=w.colleague.id).status_code == 302


def test_strangers_are_sent_to_the_login_page(app, tickets):
    client = app.test_client()
    for url in (f"/tickets/{tickets['own'].id}", "/tickets", "/workbench", "/dashboard", "/notifications", "/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post(f"/tickets/{tickets['own'].id}/actions/accept", data={}).status_code == 302


@pytest.mark.parametrize(
    "url,roles",
    [
        ("/workbench", {"cadre"}),
        ("/my-issues", {"enterprise"}),
        ("/dashboard", {"cadre", "supervisor", "admin"}),
        ("/enterprises", {"cadre", "supervisor", "admin"}),
        ("/enterprises/new", {"cadre", "supervisor", "admin"}),
        ("/admin/users", {"admin"}),
    ],
)
def test_role_pages(w, login, url, roles):
    for role in MATRIX:
        assert login(_person(w, role)).get(url).status_code == (200 if role in roles else 403), (url, role)


def test_a_cadre_sees_only_visible_enterprises(w, login):
    faraway = f.enterprise("411603")
    client = login(w.liaison)
    assert client.get(f"/enterprises/{w.company.id}").status_code == 200
    assert client.get(f"/enterprises/{faraway.id}").status_code == 404
    assert faraway.name not in text(client.get("/enterprises"))
