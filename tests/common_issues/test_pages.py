"""The common-issue pages in both languages: the filing form's warning of the company's own similar issues,
similar tickets of other companies on the ticket page, candidate groups, creating, changing and resolving a
common issue, and the link the enterprise reads on its ticket."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.tickets.models import Ticket
from tests import factories as f
from tests.pages.conftest import text

OUTAGE = "lianhua-substation-outages"


def owner_of(corpus, ticket):
    return next(u for k, u in corpus.owners.items() if corpus.companies[k].id == ticket.enterprise_id)


def tickets_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Ticket))


@pytest.mark.parametrize(
    "locale, warning", [("zh_CN", "你公司已有类似诉求"), ("en", "Your company already has a similar issue")]
)
def test_the_filing_form_asks_before_filing_the_same_problem_again(login, corpus, locale, warning):
    first = corpus.group(OUTAGE)[0]
    client = login(owner_of(corpus, first), locale)
    form = {"category": "utilities", "title": first.title, "description": first.description, "priority": "normal"}
    before = tickets_count()
    response = client.post("/tickets/new", data=form)
    html = text(response)
    assert response.status_code == 200 and 'id="similar-warning"' in html
    assert warning in html and first.number in html and 'name="submit_anyway"' in html
    assert tickets_count() == before
    response = client.post("/tickets/new", data={**form, "submit_anyway": "y"})
    assert response.status_code == 302 and tickets_count() == before + 1


def test_another_problem_is_filed_at_once(login, corpus):
    first = corpus.group(OUTAGE)[0]
    client = login(owner_of(corpus, first))
    form = {
        "category": "tax",
        "title": "出口退税申报系统无法登录",
        "description": "电子税务局出口退税模块一直报错，无法申报。",
        "priority": "normal",
    }
    assert client.post("/tickets/new", data=form).status_code == 302


def test_the_ticket_page_shows_similar_tickets_of_other_companies_to_government_users(login, w, corpus):
    group = corpus.group(OUTAGE)
    first = group[0]
    html = text(login(w.city_supervisor, "zh_CN").get(f"/tickets/{first.id}"))
    assert "其他企业的类似诉求" in html
    section = html.split('id="similar"')[1].split("</section>")[0]
    shown = re.findall(r'data-ticket="([^"]+)"', section)
    others = {t.number for t in group if t.enterprise_id != first.enterprise_id}
    assert shown and set(shown) & others and first.number not in shown
    assert 'id="similar"' not in text(login(owner_of(corpus, first)).get(f"/tickets/{first.id}"))


def _create_from_first_group(client, html):
    form = html.split('action="/common-issues"')[1].split("</form>")[0]
    ids = re.search(r'name="ticket_ids"[^>]*value="([^"]+)"', form) or re.search(
        r'value="([^"]+)"[^>]*name="ticket_ids"', form
    )
    title = re.search(r'name="title"[^>]*value="([^"]*)"', form) or re.search(r'value="([^"]*)"[^>]*name="title"', form)
    data = {
        "ticket_ids": ids.group(1),
        "title": title.group(1),
        "lead_department_id": f.department("411600", "power").id,
    }
    return client.post("/common-issues", data=data), [int(i) for i in ids.group(1).split(",")]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_a_supervisor_creates_a_common_issue_from_a_candidate_group(login, w, corpus, locale):
    client = login(w.city_supervisor, locale)
    html = text(client.get("/common-issues/candidates"))
    assert 'id="candidate-groups"' in html and ("疑似共性问题" if locale == "zh_CN" else "Candidate groups") in html
    response, ids = _create_from_first_group(client, html)
    assert response.status_code == 302, text(response)[:2000]
    detail = text(client.get(response.headers["Location"]))
    assert all(db.session.get(Ticket, i).number in detail for i in ids)
    # The enterprise reads the link on its ticket, in its language.
    ticket = db.session.get(Ticket, ids[0])
    page = text(login(owner_of(corpus, ticket), "zh_CN").get(f"/tickets/{ticket.id}"))
    assert "已并入共性问题" in page and "统一办理" in page
    history = text(login(owner_of(corpus, ticket), "en").get(f"/tickets/{ticket.id}"))
    assert "Joined a common issue" in history


def test_a_refused_creation_shows_beside_the_field(login, w, corpus):
    client = login(w.city_supervisor)
    html = text(client.get("/common-issues/candidates"))
    form = html.split('action="/common-issues"')[1].split("</form>")[0]
    ids = (
        re.search(r'name="ticket_ids"[^>]*value="([^"]+)"', form)
        or re.search(r'value="([^"]+)"[^>]*name="ticket_ids"', form)
    ).group(1)
    response = client.post("/common-issues", data={"ticket_ids": ids, "title": "停电", "lead_department_id": ""})
    assert response.status_code == 422 and "invalid-feedback" in text(response)


@pytest.mark.parametrize("who", ["liaison", "stranger"])
def test_candidate_groups_are_for_supervisors_and_admins(login, w, corpus, who):
    assert login(getattr(w, who)).get("/common-issues/candidates").status_code == 403


def test_add_remove_and_resolve_on_the_common_issue_page(login, w, corpus):
    from helpdesk.common_issues.services import create_common_issue

    group = corpus.group(OUTAGE)
    issue = create_common_issue(
        w.city_supervisor, title="莲花变电站频繁停电", ticket_ids=[group[0].id, group[1].id],
        lead_department_id=f.department("411600", "power").id,
    )  # fmt: skip
    db.session.commit()
    client = login(w.city_supervisor, "zh_CN")
    page = f"/common-issues/{issue.id}"
    assert "并入的诉求" in text(client.get(page))
    response = client.post(f"{page}/tickets", data={"numbers": f"{group[2].number}, {group[3].number}"})
    assert response.status_code == 302
    html = text(client.get(page))
    assert group[2].number in html and group[3].number in html
    assert client.post(f"{page}/tickets", data={"numbers": "ZK-2099-000001"}).status_code == 422
    assert client.post(f"{page}/tickets/{group[3].id}/remove", data={}).status_code == 302
    assert f'data-ticket="{group[3].number}"' not in text(client.get(page))
    # The lead department's cadre resolves it from the page; each ticket is resolved.
    lead = f.fast_user("cadre", department_id=f.department("411600", "power").id)
    cadre = login(lead, "en")
    assert "Resolve the common issue" in text(cadre.get(page))
    response = cadre.post(f"{page}/resolve", data={"resolution_note": "线路已改造"})
    assert response.status_code == 302
    db.session.expire_all()
    assert [db.session.get(Ticket, t.id).status for t in group[:3]] == ["resolved"] * 3
    assert db.session.get(Ticket, group[3].id).status != "resolved"
    assert "Resolve the common issue" not in text(cadre.get(page))
    assert cadre.post(f"{page}/resolve", data={"resolution_note": "再次"}).status_code == 409


def test_the_list_pages_link_from_the_navigation(login, w, corpus):
    for user in (w.city_supervisor, w.admin, w.liaison):
        html = text(login(user).get("/common-issues"))
        assert 'href="/common-issues"' in html
    assert 'href="/common-issues/candidates"' in text(login(w.city_supervisor).get("/common-issues"))
    assert login(w.stranger).get("/common-issues").status_code == 403


def test_an_admin_creates_one_from_the_candidates_page_too(login, w, corpus):
    client = login(w.admin)
    response, _ids = _create_from_first_group(client, text(client.get("/common-issues/candidates")))
    assert response.status_code == 302
