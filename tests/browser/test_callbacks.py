"""The callback queue on a phone, in a real browser with CSRF on: a supervisor finds an auto-closed ticket at
the top, records "reached, not solved" in its row's form, and the ticket is back with its handler. The page
and the dashboard with its bulletin download fit the phone's width."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.browser.conftest import NO_BROWSER, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.skipif(NO_BROWSER is not None, reason=NO_BROWSER or "")]

WIDER_THAN_THE_SCREEN = "document.documentElement.scrollWidth > window.innerWidth"


@pytest.fixture()
def auto_closed(live_server):
    """A ticket of the browser company, resolved ten days ago and closed by the sweep without a rating."""
    _base, people, app = live_server
    from sqlalchemy import select

    from helpdesk.auth.models import User
    from helpdesk.extensions import db
    from helpdesk.tickets.services import perform_action
    from tests import factories as f

    with app.app_context():
        owner = db.session.scalar(select(User).where(User.email == people.owner))
        when = datetime.now(UTC) - timedelta(days=11)
        ticket = f.file(owner, now=when, title="厂区供电线路改造迟迟未完成")
        perform_action(ticket.assignee, ticket, "accept", now=when)
        perform_action(ticket.assignee, ticket, "resolve", note="线路已改造", now=when + timedelta(days=1))
        perform_action(None, ticket, "auto_close", now=when + timedelta(days=8))
        db.session.commit()
        number, ticket_id = ticket.number, ticket.id
        db.session.remove()
    return number, ticket_id


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_a_supervisor_records_a_callback_on_a_phone_and_the_ticket_reopens(
    session_for, live_server, auto_closed, locale
):
    _base, people, app = live_server
    number, ticket_id = auto_closed
    supervisor = session_for(people.supervisor, locale, PHONE)
    supervisor.goto("/callbacks")
    row = supervisor.page.locator(f"[data-ticket='{number}']")
    assert row.get_attribute("data-reason") == "auto_closed"
    assert not supervisor.page.evaluate(WIDER_THAN_THE_SCREEN)

    row.locator("summary").click()
    row.locator(f"input[name='t{ticket_id}-reached'][value=yes]").check()
    row.locator(f"input[name='t{ticket_id}-solved'][value=no]").check()
    row.locator(f"select[name='t{ticket_id}-rating']").select_option("dissatisfied")
    row.locator(f"textarea[name='t{ticket_id}-note']").fill("企业反映线路仍未改造完成")
    assert not supervisor.page.evaluate(WIDER_THAN_THE_SCREEN)
    row.locator("[type=submit]").click()
    supervisor.page.wait_for_selector(".alert-success")
    assert supervisor.page.locator(f"[data-ticket='{number}']").count() == 0

    supervisor.goto(f"/tickets/{ticket_id}")
    assert supervisor.page.locator("[data-status='in_progress']").count() == 1
    assert supervisor.page.locator("#callbacks [data-callback='unsolved']").count() == 1
    assert "企业反映线路仍未改造完成" in supervisor.page.inner_text("#timeline")

    supervisor.goto("/dashboard")
    assert supervisor.page.locator("#bulletin-download").count() == 1
    assert not supervisor.page.evaluate(WIDER_THAN_THE_SCREEN)
    assert supervisor.errors == [], supervisor.errors
