"""What people read, measured in Chromium (issue 12): on a phone the ticket page puts the facts first, then
the actions, the description and the history; the filing form has title and description on the first screen;
the department chart's labels can all be told apart and the months read 2026年2月 / Feb 2026, in both
languages at 375 px and on a desktop; the handling level and the status badges read as themselves."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.browser.conftest import DESKTOP, NO_BROWSER, PASSWORD, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.skipif(NO_BROWSER is not None, reason=NO_BROWSER or "")]

FIRST_SCREEN = {"width": 375, "height": 667}  # an iPhone SE / 8: the small phone people still use
COUNTIES = ("411602", "411603", "411621", "411622", "411681")
CATEGORIES = ("environment", "land", "labor", "tax")
WARNING_COLOURS = {"rgb(25, 135, 84)", "rgb(255, 193, 7)", "rgb(253, 126, 20)", "rgb(220, 53, 69)"}


@pytest.fixture(scope="module")
def busy_city(live_server):
    """Tickets of five divisions in four departments each (so the same short names appear in several
    divisions), some of them resolved, filed over the last months; and one land ticket of the browser
    company, assigned to its liaison. Returns the id of that ticket."""
    from werkzeug.security import generate_password_hash

    from helpdesk.auth.models import User
    from helpdesk.db import utcnow
    from helpdesk.extensions import db
    from helpdesk.tickets.models import Ticket
    from helpdesk.tickets.services import file_ticket
    from tests import factories as f

    _base, people, app = live_server
    with app.app_context():
        owner = db.session.scalar(db.select(User).where(User.email == people.owner))
        existing = db.session.scalar(db.select(Ticket).where(Ticket.title == "扩建厂房用地手续迟迟未办"))
        if existing is not None:
            return existing.id
        hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
        now = utcnow()
        for n, county in enumerate(COUNTIES):
            company = f.enterprise(county, name=f"周口测试{n}号有限公司")
            filer = User(
                email=f"filer{n}@browser.cn",
                name=f"企业用户{n}",
                role="enterprise",
                password_hash=hashed,
                enterprise_id=company.id,
                active=True,
                locale="zh_CN",
                open_tickets=0,
            )
            db.session.add(filer)
            db.session.flush()
            for k, category in enumerate(CATEGORIES):
                for i in range(2 + (n + k) % 3):
                    when = now - timedelta(days=20 + 25 * i + 3 * k)
                    file_ticket(
                        filer,
                        category=category,
                        title=f"测试诉求{n}{k}{i}号",
                        description="用于检查图表标签的测试诉求，内容足够长。",
                        now=when,
                    )
        ticket = file_ticket(
            owner,
            category="land",
            title="扩建厂房用地手续迟迟未办",
            description="二期扩建厂房的用地手续已提交两个月，至今没有答复，影响开工。",
            now=now,
        )
        db.session.commit()
        ticket_id = ticket.id
        _resolve_some(hashed)
        db.session.remove()
    return ticket_id


def _resolve_some(hashed: str) -> None:
    """Every other test ticket is assigned by the admin to a cadre of its department, accepted and resolved."""
    from helpdesk.auth.models import User
    from helpdesk.extensions import db
    from helpdesk.tickets.models import Ticket
    from helpdesk.tickets.services import perform_action

    admin = db.session.scalar(db.select(User).where(User.role == "admin"))
    tickets = db.session.scalars(db.select(Ticket).where(Ticket.title.like("测试诉求%")).order_by(Ticket.id)).all()
    for ticket in tickets[::2]:
        cadre = db.session.scalar(
            db.select(User).where(User.role == "cadre", User.department_id == ticket.department_id).limit(1)
        )
        if cadre is None:
            cadre = User(
                email=f"cadre{ticket.department_id}@browser.cn",
                name=f"干部{ticket.department_id}",
                role="cadre",
                password_hash=hashed,
                department_id=ticket.department_id,
                active=True,
                locale="zh_CN",
                open_tickets=0,
            )
            db.session.add(cadre)
            db.session.flush()
        later = ticket.created_at + timedelta(days=1)
        if ticket.assignee_id != cadre.id:
            perform_action(admin, ticket, "assign", assignee_id=cadre.id, now=later)
        perform_action(cadre, ticket, "accept", now=later)
        perform_action(cadre, ticket, "resolve", note="已办结。", now=later)
    db.session.commit()


def _box(page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


# -- the ticket page on a phone: the facts first, the history last --------------------------------------------


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_on_a_phone_the_ticket_page_puts_the_facts_first_and_the_history_last(
    session_for, live_server, busy_city, locale
):
    _base, people, _app = live_server
    cadre = session_for(people.liaison, locale, FIRST_SCREEN)
    cadre.goto(f"/tickets/{busy_city}")
    page = cadre.page
    facts = [_box(page, s) for s in ("[data-status]", "#summary [data-warning]", "#due-at", "#department", "#assignee")]
    actions, description = _box(page, "#actions"), _box(page, "#description")
    history, comment = _box(page, "#timeline"), _box(page, "form[action$='/comments']")
    assert max(b["y"] + b["height"] for b in facts) <= FIRST_SCREEN["height"]  # all on the first screen
    assert max(b["y"] + b["height"] for b in facts) <= actions["y"]
    assert actions["y"] + actions["height"] <= description["y"]
    assert description["y"] < history["y"] < comment["y"]
    assert page.inner_text("#department") == (
        "川汇区自然资源局" if locale == "zh_CN" else "Chuanhui District Bureau of Natural Resources"
    )
    level = {"zh_CN": "县级（川汇区）", "en": "County level (Chuanhui District)"}[locale]
    assert page.inner_text("#handling-level") == level
    routing = page.inner_text("#routing")
    if locale == "zh_CN":
        assert re.search(r"[A-Za-z]{3,}", routing) is None, routing
        assert routing.endswith("分派给王芳（企业的包联干部）")
    else:
        assert routing.startswith("category Land at Chuanhui District")
    assert cadre.errors == []


def test_on_a_desktop_the_actions_and_details_are_a_sidebar(session_for, live_server, busy_city):
    _base, people, _app = live_server
    cadre = session_for(people.liaison, "zh_CN", DESKTOP)
    cadre.goto(f"/tickets/{busy_city}")
    summary, description = _box(cadre.page, "#summary"), _box(cadre.page, "#description")
    actions = _box(cadre.page, "#actions")
    assert summary["y"] < description["y"]
    assert actions["x"] >= description["x"] + description["width"]  # beside, not below
    assert actions["y"] < description["y"] + description["height"]


def test_status_badges_never_wear_a_warning_colour(session_for, live_server, busy_city):
    _base, people, _app = live_server
    supervisor = session_for(people.supervisor, "zh_CN", DESKTOP)
    supervisor.goto("/tickets?per_page=100")
    colours = supervisor.page.evaluate(
        """() => [...document.querySelectorAll('[data-status]')].map(b => [b.dataset.status,
                   getComputedStyle(b).backgroundColor])"""
    )
    assert {status for status, _colour in colours} >= {"submitted", "assigned", "resolved"}
    assert not [c for c in colours if c[1] in WARNING_COLOURS], colours
    assert len({colour for _status, colour in colours}) == len({status for status, _colour in colours})


# -- the filing form on a small phone ---------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_on_a_small_phone_title_and_description_are_on_the_first_screen(session_for, live_server, locale):
    _base, people, _app = live_server
    owner = session_for(people.owner, locale, FIRST_SCREEN)
    owner.goto("/tickets/new")
    page = owner.page
    title, description = _box(page, "input[name=title]"), _box(page, "textarea[name=description]")
    assert title["y"] + title["height"] <= FIRST_SCREEN["height"]
    assert description["y"] + description["height"] <= FIRST_SCREEN["height"], description
    assert page.evaluate("document.documentElement.scrollWidth") <= FIRST_SCREEN["width"]
    # A chip is a radio: tapping it chooses the category and shows its limit and help.
    help_text = page.locator(".category-help[data-category=land]")
    assert not help_text.is_visible()
    page.click("input[name=category][value=land] + label")
    assert page.is_checked("input[name=category][value=land]")
    assert help_text.is_visible()
    assert ("15" if locale == "zh_CN" else "15 working days") in help_text.inner_text()
    assert owner.errors == []


# -- the department chart and the trend ----------------------------------------------------------------------------


def _chart_labels(page, which: str) -> list[dict]:
    return page.evaluate(
        """(which) => {
            const box = document.querySelector(which);
            const svg = [...box.querySelectorAll('svg.chart')].find(s => s.getBoundingClientRect().width > 0);
            const area = svg.getBoundingClientRect();
            const read = (t) => { const r = t.getBoundingClientRect();
                return {text: [...t.querySelectorAll('tspan')].map(s => s.textContent).join(' ') || t.textContent,
                        left: r.left - area.left, right: r.right - area.left, top: r.top, bottom: r.bottom,
                        width: area.width}; };
            return {bars: [...svg.querySelectorAll('text.bar-label')].map(read),
                    ticks: [...svg.querySelectorAll('text.x-tick')].map(read)};
        }""",
        which,
    )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_department_bar_can_be_told_apart_and_months_read_naturally(
    session_for, live_server, busy_city, locale, viewport
):
    _base, people, _app = live_server
    admin = session_for(people.admin, locale, viewport)
    admin.goto("/dashboard?period=last_12_months")
    bars = _chart_labels(admin.page, "section[aria-labelledby='bars-heading']")["bars"]
    assert len(bars) >= 12
    texts = [b["text"] for b in bars]
    assert len(set(texts)) == len(texts), texts  # no two labels alike
    for label in bars:
        assert label["left"] >= 0 and label["right"] <= label["width"], label
    for above, below in zip(bars, bars[1:]):
        assert above["bottom"] <= below["top"] + 0.5, (above, below)
    names = {
        "zh_CN": ("生态环境分局", "川汇区", "淮阳区"),
        "en": ("Ecology and", "Chuanhui District", "Huaiyang District"),
    }
    assert all(any(name in text for text in texts) for name in names[locale]), texts
    ticks = _chart_labels(admin.page, "section[aria-labelledby='trend-heading']")["ticks"]
    month = r"^\d{4}年\d{1,2}月$" if locale == "zh_CN" else r"^[A-Z][a-z]{2} \d{4}$"
    assert len(ticks) >= 3 and all(re.match(month, t["text"]) for t in ticks), ticks
    for left, right in zip(ticks, ticks[1:]):
        assert left["right"] <= right["left"], (left, right)
    assert all(t["left"] >= 0 and t["right"] <= t["width"] for t in ticks), ticks
    assert admin.errors == []
