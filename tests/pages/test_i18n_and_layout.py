"""Languages (complete zh_CN and en catalogs, the switch, Asia/Shanghai times), the navigation per role,
notifications, and the page rules every page follows (local assets, no inline script, escaped data)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from helpdesk.tickets.services import perform_action
from tests import factories as f
from tests.pages.conftest import fresh, text

TRANSLATIONS = Path(__file__).resolve().parents[2] / "helpdesk" / "translations"


def _catalog(locale: str):
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=locale)


def test_every_message_is_translated_into_chinese():
    catalog = _catalog("zh_CN")
    untranslated = [
        m.id for m in catalog if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))
    ]
    assert untranslated == []
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert fuzzy == []
    assert len(catalog) > 300


def test_the_catalogs_cover_every_message_of_the_template_and_the_same_ones():
    with (TRANSLATIONS / "messages.pot").open("rb") as source:
        template = {m.id for m in read_po(source) if m.id}
    for locale in ("zh_CN", "en"):
        assert {m.id for m in _catalog(locale) if m.id} == template, locale


def test_every_message_of_the_source_is_in_the_chinese_catalog():
    """A new _() in the code or a template without a translation fails here: run `make translations`."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    root = TRANSLATIONS.parents[1]
    with (root / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found = set()
    for _filename, _line, message, _comments, _context in extract_from_dir(
        str(root), method_map, options_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    translated = {m.id for m in _catalog("zh_CN") if m.id and m.string}
    assert sorted(found - translated) == []


def test_placeholders_survive_translation():
    for message in _catalog("zh_CN"):
        if message.id:
            assert sorted(re.findall(r"%\(\w+\)s", message.id)) == sorted(re.findall(r"%\(\w+\)s", message.string)), (
                message.id
            )


def test_notification_and_login_messages_are_in_the_catalog():
    ids = {m.id for m in _catalog("zh_CN")}
    assert "Ticket %(number)s “%(title)s” has been assigned to you." in ids
    assert "Wrong email or password." in ids and "Log in" in ids


def test_pages_come_in_chinese_by_default_and_switch_to_english(w, login, app):
    anonymous = app.test_client()
    page = text(anonymous.get("/login"))
    assert "登录" in page and 'lang="zh-CN"' in page
    assert "Log in" in text(anonymous.get("/login", headers={"Accept-Language": "en"}))
    client = login(w.owner, "zh_CN")
    html = text(client.get("/"))
    assert "我的诉求" in html and "提交诉求" in html
    client.post("/language/en")
    assert "My issues" in text(client.get("/"))
    assert fresh(w.owner).locale == "en"  # remembered on the user


def test_status_action_category_and_role_names_are_translated(w, login):
    ticket = w.ticket("resolved")
    html = text(login(w.owner, "zh_CN").get(f"/tickets/{ticket.id}"))
    for chinese in ("已办结", "确认销号并评价", "重办", "用地保障", "满意", "基本满意", "不满意", "办理过程"):
        assert chinese in html, chinese
    profile = text(login(w.liaison, "zh_CN").get("/profile"))
    assert "助企干部" in profile and "川汇区自然资源局" in profile


def test_times_are_shown_in_asia_shanghai(w, login):
    ticket = w.ticket("assigned", now=datetime(2025, 3, 11, 2, 0, tzinfo=UTC))  # 10:00 in Shanghai
    html = text(login(w.owner).get(f"/tickets/{ticket.id}"))
    assert "2025-03-11 10:00" in html


def test_notifications_are_written_in_the_recipients_language(w, login):
    w.liaison.locale = "en"
    f.db.session.flush()
    ticket = w.ticket("assigned")
    f.db.session.flush()
    html = text(login(w.liaison).get("/notifications"))
    assert f"Ticket {ticket.number}" in html and "has been assigned to you" in html
    owner_view = text(login(w.owner, "zh_CN").get("/notifications"))
    assert "暂无通知" in owner_view


@pytest.mark.parametrize(
    "role,links,absent",
    [
        ("enterprise", ["/tickets/new", "/notifications"], ["/admin/users", "/dashboard", "/workbench"]),
        ("cadre", ["/tickets", "/enterprises?paired=1", "/tickets/new", "/dashboard"], ["/admin/users"]),
        ("supervisor", ["/tickets", "/enterprises", "/tickets/new"], ["/admin/users"]),
        (
            "admin",
            [
                "/admin/users",
                "/admin/enterprises",
                "/admin/departments",
                "/admin/categories",
                "/admin/routing-rules",
                "/admin/holidays",
                "/admin/audit",
                "/dashboard",
            ],
            [],
        ),
    ],
)
def test_each_role_has_its_own_navigation(w, login, role, links, absent):
    person = {"enterprise": w.owner, "cadre": w.liaison, "supervisor": w.supervisor, "admin": w.admin}[role]
    nav = text(login(person).get("/")).split("</nav>")[0]
    for link in links:
        assert f'href="{link}"' in nav, link
    for link in absent:
        assert f'href="{link}"' not in nav, link


def test_the_unread_count_is_in_the_navigation_and_notifications_are_marked_read(w, login):
    ticket = w.ticket("resolved")  # the owner is told it was resolved
    perform_action(w.owner, ticket, "reopen", note="未解决")
    perform_action(w.liaison, ticket, "resolve", note="已再次办结")
    f.db.session.flush()
    client = login(w.owner)
    html = text(client.get("/"))
    assert re.search(r'id="unread-count">2<', html)
    page = text(client.get("/notifications"))
    [first, second] = re.findall(r'data-notification="(\d+)"', page)
    assert client.post(f"/notifications/{first}/read").status_code == 302
    assert re.search(r'id="unread-count">1<', text(client.get("/")))
    follow = client.get(f"/notifications/{second}")
    assert follow.status_code == 302 and follow.headers["Location"] == f"/tickets/{ticket.id}"
    assert 'id="unread-count"' not in text(client.get("/"))
    assert login(w.stranger).get(f"/notifications/{first}").status_code == 404
    assert client.post("/notifications/read-all").status_code == 302


def test_pages_use_only_local_assets_and_no_inline_script(w, login):
    ticket = w.ticket("in_progress")
    for person, url in (
        (w.owner, "/"),
        (w.owner, f"/tickets/{ticket.id}"),
        (w.owner, "/tickets/new"),
        (w.liaison, "/"),
        (w.supervisor, "/dashboard?period=all"),
        (w.admin, "/admin/holidays"),
    ):
        html = text(login(person).get(url))
        assert not re.search(r'(src|href)="(https?:)?//', html), url
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], url  # every script is a file
        assert not re.search(r"\son[a-z]+=", html), url  # no inline event handlers
        assert "/bootstrap/static/css/bootstrap.min.css" in html


def test_the_bootstrap_files_and_our_own_are_served(app):
    client = app.test_client()
    for url in (
        "/bootstrap/static/css/bootstrap.min.css",
        "/bootstrap/static/js/bootstrap.min.js",
        "/static/helpdesk.css",
        "/static/helpdesk.js",
        "/static/favicon.svg",
    ):
        with client.get(url) as response:
            assert response.status_code == 200, url


def test_user_data_is_escaped(w, login):
    title = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
    ticket = f.file(w.owner, title=title)
    for person, url in (
        (w.owner, f"/tickets/{ticket.id}"),
        (w.owner, "/"),
        (w.liaison, "/"),
        (w.supervisor, "/tickets"),
    ):
        html = text(login(person).get(url))
        assert title not in html and "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html, url


def test_the_page_is_made_for_phones(w, login):
    html = text(login(w.owner).get("/"))
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "navbar-toggler" in html
