"""Common issues (共性问题, issue 14) on a phone, in a real browser with CSRF on, in both languages: the
enterprise is asked before it files the same problem again; a supervisor resolves a common issue of two
companies from its page and each company reads the outcome on its own ticket. Every page fits the phone."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import NO_BROWSER, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.skipif(NO_BROWSER is not None, reason=NO_BROWSER or "")]

WIDER_THAN_THE_SCREEN = "document.documentElement.scrollWidth > window.innerWidth"
TITLE = "厂区附近变电站频繁停电影响生产"
TEXT = "近两周园区变电站频繁跳闸停电，每次停电两三个小时，生产线被迫停工，请协调供电公司尽快检修。"


@pytest.fixture()
def outage(live_server):
    """The browser company's open outage ticket and another company's, joined into a common issue of 川汇区
    led by its development and reform bureau; (numbers, issue id)."""
    _base, people, app = live_server
    from sqlalchemy import select

    from helpdesk.auth.models import User
    from helpdesk.common_issues.indexing import reindex
    from helpdesk.common_issues.services import create_common_issue
    from helpdesk.extensions import db
    from tests import factories as f

    with app.app_context():
        owner = db.session.scalar(select(User).where(User.email == people.owner))
        supervisor = db.session.scalar(select(User).where(User.email == people.supervisor))
        neighbour = f.enterprise("411602")
        other_owner = f.fast_enterprise_user(neighbour)
        mine = f.file(owner, category="utilities", title=TITLE, description=TEXT)
        theirs = f.file(
            other_owner, category="utilities", title="变电站停电频繁", description="园区变电站反复停电，设备损坏。"
        )
        reindex()
        issue = create_common_issue(
            supervisor,
            title="园区变电站频繁停电",
            ticket_ids=[mine.id, theirs.id],
            lead_department_id=mine.department_id,
        )
        db.session.commit()
        numbers, issue_id = (mine.number, theirs.number), issue.id
        ids = (mine.id, theirs.id)
        db.session.remove()
    yield numbers, ids, issue_id
    with app.app_context():  # the session-wide database stays as the other browser tests expect it
        from helpdesk.tickets.models import Ticket

        # this test's tickets (those filed on its pages too) leave the way: the journey files a fresh one
        for ticket in db.session.scalars(select(Ticket).where(Ticket.id.in_(ids) | Ticket.title.contains("变电站"))):
            ticket.common_issue_id = None
            ticket.status = "withdrawn"
        # and the similarity index is emptied again: the other tests' companies are asked nothing
        from sqlalchemy import delete, update

        from helpdesk.common_issues.models import TermStat, TicketNeighbour, TicketTerm

        for model in (TicketNeighbour, TicketTerm, TermStat):
            db.session.execute(delete(model))
        db.session.execute(update(Ticket).values(similarity_indexed_at=None))
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_the_enterprise_is_asked_before_filing_the_same_problem_again(session_for, live_server, outage, locale):
    _base, people, _app = live_server
    (mine, _theirs), _ids, _issue = outage
    owner = session_for(people.owner, locale, PHONE)
    owner.goto("/tickets/new")
    page = owner.page
    chip = page.get_attribute("input[name=category][value=utilities]", "id")
    page.click(f"label[for={chip}]")
    page.fill("input[name=title]", "园区变电站又停电了")
    page.fill("textarea[name=description]", TEXT)
    page.click("#file-form [type=submit]")
    warning = page.locator("#similar-warning")
    assert mine in warning.inner_text()
    expected = "你公司已有类似诉求" if locale == "zh_CN" else "Your company already has a similar issue"
    assert expected in warning.inner_text()
    assert not page.evaluate(WIDER_THAN_THE_SCREEN)
    page.check("input[name=submit_anyway]")
    page.click("#file-form [type=submit]")
    page.wait_for_url(re.compile(r"/tickets/\d+$"))
    owner.close()


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_a_supervisor_resolves_a_common_issue_and_each_company_reads_it(session_for, live_server, outage, locale):
    _base, people, _app = live_server
    _numbers, (mine, _theirs), issue_id = outage
    supervisor = session_for(people.supervisor, locale, PHONE)
    supervisor.goto(f"/common-issues/{issue_id}")
    page = supervisor.page
    assert page.locator("#issue-title").inner_text() == "园区变电站频繁停电"
    assert not page.evaluate(WIDER_THAN_THE_SCREEN)
    page.locator("#resolve summary").click()
    page.fill("textarea[name=resolution_note]", "供电公司已完成变电站检修并更换故障设备。")
    page.click("#resolve [type=submit]")
    page.wait_for_load_state()
    assert page.locator("#issue-status").inner_text() == ("已办结" if locale == "zh_CN" else "Resolved")
    assert not page.evaluate(WIDER_THAN_THE_SCREEN)
    supervisor.close()

    owner = session_for(people.owner, locale, PHONE)
    owner.goto(f"/tickets/{mine}")
    link = owner.page.locator("#common-issue-link").inner_text()
    assert "园区变电站频繁停电" in link
    assert ("统一办理" in link) if locale == "zh_CN" else ("handled as one" in link)
    assert "供电公司已完成变电站检修" in owner.page.content()  # the common resolution note, on its own ticket
    assert not owner.page.evaluate(WIDER_THAN_THE_SCREEN)
    owner.close()
