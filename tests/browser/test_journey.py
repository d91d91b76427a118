"""The whole journey in a real browser, in both languages, on a phone and on a desktop: an enterprise files
an issue, the routed cadre accepts and resolves it, the enterprise confirms with a rating, and the
supervisor's dashboard figure moves. Plus: user data cannot run script."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import DESKTOP, NO_BROWSER, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.skipif(NO_BROWSER is not None, reason=NO_BROWSER or "")]

DONE = {"zh_CN": "已提交", "en": "has been filed"}
RATING = {"zh_CN": "满意", "en": "Satisfied"}


def _figures(session) -> tuple[int, int]:
    session.goto("/dashboard")
    figure = session.page.locator("#completed-count")
    return int(figure.get_attribute("data-completed")), int(figure.get_attribute("data-eligible"))


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_an_issue_goes_from_filing_to_a_rated_closure(session_for, live_server, locale, viewport):
    _base, people, _app = live_server
    supervisor = session_for(people.supervisor, locale, viewport)
    completed_before, eligible_before = _figures(supervisor)

    # The enterprise files an issue from its portal.
    owner = session_for(people.owner, locale, viewport)
    owner.goto("/")
    owner.page.click("a[href='/tickets/new'].btn")
    owner.page.click("input[name=category][value=land] + label")  # a category chip
    title = f"二期用地指标未落实 {locale} {viewport['width']}"
    owner.page.fill("input[name=title]", title)
    owner.page.fill("textarea[name=description]", "项目二期用地指标承诺三个月仍未落实，影响开工建设。")
    owner.page.click("#file-form [type=submit]")
    owner.page.wait_for_url(re.compile(r"/tickets/\d+$"))
    assert DONE[locale] in owner.page.inner_text(".alert-success")
    number = owner.page.inner_text("#ticket-number")
    path = owner.page.url.removeprefix(owner.base)
    assert owner.page.locator("[data-status='assigned']").count() == 1
    assert owner.page.locator("[data-warning='green']").count() >= 1

    # The routed cadre (the company's liaison, 川汇区自然资源局) accepts it and resolves it.
    cadre = session_for(people.liaison, locale, viewport)
    cadre.goto("/")
    queue = cadre.page.locator("section[aria-labelledby='mine-heading']")
    queue.locator(f"[data-ticket='{number}']").click()
    cadre.page.wait_for_url(re.compile(re.escape(path) + "$"))
    cadre.page.click("form[data-action='accept'] button")
    cadre.page.wait_for_selector("[data-status='in_progress']")
    cadre.page.click("details[data-action='resolve'] > summary")
    cadre.page.fill("details[data-action='resolve'] textarea[name=note]", "用地指标已下达，企业可办理供地手续。")
    cadre.page.click("details[data-action='resolve'] [type=submit]")
    cadre.page.wait_for_selector("[data-status='resolved']")

    # The enterprise confirms it with a rating.
    owner.goto(path)
    owner.page.click("details[data-action='confirm'] > summary")
    owner.page.check("details[data-action='confirm'] input[name=rating][value=satisfied]")
    owner.page.fill("details[data-action='confirm'] textarea[name=note]", "办理及时，非常满意。")
    owner.page.click("details[data-action='confirm'] [type=submit]")
    owner.page.wait_for_selector("[data-status='closed']")
    assert owner.page.inner_text("#rating") == RATING[locale]
    assert "办理及时，非常满意。" in owner.page.inner_text("#timeline")

    # The supervisor's figure has moved: one more eligible ticket, and it is completed.
    assert _figures(supervisor) == (completed_before + 1, eligible_before + 1)
    for session in (supervisor, owner, cadre):
        assert session.errors == [], session.errors


def test_a_hostile_title_is_shown_as_text_and_nothing_runs(session_for, live_server):
    _base, people, _app = live_server
    title = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
    owner = session_for(people.owner, "en", DESKTOP)
    owner.goto("/tickets/new")
    owner.page.click("input[name=category][value=policy] + label")
    owner.page.fill("input[name=title]", title)
    owner.page.fill("textarea[name=description]", '<b onmouseover="window.__xss=3">bold</b> and more text')
    owner.page.click("#file-form [type=submit]")
    owner.page.wait_for_url(re.compile(r"/tickets/\d+$"))
    assert owner.page.inner_text("#ticket-title") == title
    assert owner.page.evaluate("window.__xss") is None
    assert owner.page.locator("main img").count() == 0
    number = owner.page.inner_text("#ticket-number")
    owner.goto("/")
    assert owner.page.evaluate("window.__xss") is None
    cadre = session_for(people.liaison, "zh_CN", PHONE)
    cadre.goto("/tickets?q=window")
    assert cadre.page.locator(f"[data-ticket='{number}'] .ticket-title").inner_text() == title
    assert cadre.page.evaluate("window.__xss") is None
    assert owner.errors == [] and cadre.errors == []


def test_a_form_without_its_csrf_token_is_refused(session_for, live_server):
    base, people, _app = live_server
    owner = session_for(people.owner, "en", DESKTOP)
    response = owner.page.request.post(
        base + "/tickets/new",
        form={"category": "land", "title": "无令牌的提交", "description": "这个表单没有 CSRF 令牌。"},
    )
    assert response.status == 400
