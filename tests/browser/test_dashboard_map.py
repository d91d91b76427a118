"""The battle map on the live city dashboard, as Chromium draws it: every division filled as the report says
(by warning, and by completion rate), labelled with its rate, linked to its county's dashboard; a county
supervisor sees its county highlighted within the city. Both languages, phone and desk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.browser.conftest import DESKTOP, NO_BROWSER, PASSWORD, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.skipif(NO_BROWSER is not None, reason=NO_BROWSER or "")]

CITY_SUPERVISOR = "zhoukou.map@browser.cn"


@pytest.fixture(scope="module")
def city(live_server):
    """A city supervisor, and tickets in two other counties: 淮阳区 long overdue (red), 扶沟县 new (green)."""
    _base, _people, app = live_server
    from helpdesk.auth.services import create_user
    from helpdesk.extensions import db
    from helpdesk.tickets.services import file_ticket
    from tests import factories as f

    with app.app_context():
        create_user(
            email=CITY_SUPERVISOR,
            name="周口市督查员",
            password=PASSWORD,
            role="supervisor",
            jurisdiction_id=f.jurisdiction("411600").id,
        )
        for county, filed in (("411603", datetime.now(UTC) - timedelta(days=60)), ("411621", datetime.now(UTC))):
            f.fast_cadre(county, "tax")
            owner = f.fast_enterprise_user(f.enterprise(county))
            file_ticket(
                owner,
                category="tax",
                title="出口退税迟迟未到账",
                description="企业去年四季度的出口退税申请至今没有到账，资金周转困难。",
                now=filed,
            )
        db.session.commit()
        db.session.remove()
    return app


def _expected(app):
    """code → (warning fill, rate fill, rate text) from the dashboard service itself."""
    from sqlalchemy import select

    from helpdesk.auth.models import User
    from helpdesk.extensions import db
    from helpdesk.jurisdictions.models import Jurisdiction
    from helpdesk.reports.battle_map import rate_fill, warning_fill
    from helpdesk.reports.charts import percent
    from helpdesk.reports.dashboard import build_dashboard, tile_colour

    with app.test_request_context():
        viewer = db.session.scalar(select(User).where(User.email == CITY_SUPERVISOR))
        board = build_dashboard(viewer)
        codes = {j.id: j.code for j in db.session.scalars(select(Jurisdiction))}
        expected = {
            codes[t.key]: (
                warning_fill(tile_colour(t.figures)) if t.figures.total else "fill-none",
                rate_fill(t.figures.completion_rate, board.target, t.figures.meets_target),
                percent(t.figures.completion_rate),
            )
            for t in board.board
        }
        db.session.remove()
    return expected


def _fills(page) -> dict[str, str]:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('#battle-map path[data-code]')].map(
             p => [p.dataset.code, [...p.classList].find(c => c.startsWith('fill-'))]))"""
    )


@pytest.mark.parametrize(("locale", "viewport"), [("zh_CN", PHONE), ("en", DESKTOP)], ids=["zh-phone", "en-desk"])
def test_each_division_is_filled_as_the_report_says(session_for, city, locale, viewport):
    expected = _expected(city)
    assert len(expected) == 10
    assert expected["411603"][0] == "fill-red" and expected["411621"][0] == "fill-green"
    person = session_for(CITY_SUPERVISOR, locale, viewport)
    person.goto("/dashboard?period=all")
    page = person.page
    assert _fills(page) == {code: fills[0] for code, fills in expected.items()}
    labels = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('#battle-map text[data-code]')].map(
             t => [t.dataset.code, t.textContent]))"""
    )
    for code, (_warning, _rate, rate_text) in expected.items():
        assert rate_text in labels[code]
    assert ("淮阳区" if locale == "zh_CN" else "Huaiyang") in labels["411603"]
    box = page.locator("#battle-map svg").bounding_box()
    assert box["width"] <= viewport["width"]

    page.click("#battle-map a.btn:not(.active)")  # colour by completion rate
    page.wait_for_load_state()
    assert _fills(page) == {code: fills[1] for code, fills in expected.items()}

    page.click('#battle-map a[data-code="411603"]')  # a division is a link to that county's dashboard
    page.wait_for_load_state()
    assert "jurisdiction_id=" in page.url
    assert page.locator("#battle-map path.selected").get_attribute("data-code") == "411603"
    assert person.errors == []


def test_a_county_supervisor_sees_its_county_highlighted_within_the_city(session_for, live_server, city):
    _base, people, _app = live_server
    person = session_for(people.supervisor, "zh_CN", PHONE)
    person.goto("/dashboard?period=all")
    page = person.page
    assert page.locator("#battle-map path.selected").get_attribute("data-code") == "411602"
    assert page.locator("#battle-map path.dimmed").count() == 9
    assert page.locator("#battle-map a[data-code]").count() == 0  # the other counties are not its to open
