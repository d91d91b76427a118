"""Chinese users read Chinese: every page every role can reach, in zh_CN, carries no English word outside a short
allow-list (issue 12). The pages are the app's own GET routes (a new page is scanned as soon as it exists; a path
argument nobody taught this test to fill fails it), visited as an enterprise user, a cadre, the county, city and
province supervisors and an admin, for tickets in every state, plus error pages and forms sent back with errors.

What is read is what people see: text outside <script>, <style> and <code> (machine codes), and the `title`,
`aria-label`, `placeholder`, `alt` and `data-confirm` attributes and the values of buttons. English shown on
purpose (the language switch, an English name an admin maintains) is marked `lang="en"` and skipped.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from helpdesk.jurisdictions.models import Category, RoutingRule
from helpdesk.tickets.services import add_comment, perform_action
from tests import factories as f
from tests.pages.conftest import PNG, fresh

# Words that are not English prose: file types and units, the names of formats and of the API, and the columns
# of the enterprise CSV import (its file format, documented on the import page).
ALLOWED = {
    word.lower()
    for word in (
        *"PDF PNG JPEG JPG Word Excel DOCX XLSX CSV KB MB API OpenAPI UTF".split(),
        "GB",  # national standards: GB 32100-2015 (the credit code)
        "English",  # the language's own name, in the language choice
        *"name credit_code jurisdiction_code industry size contact_name contact_phone is_key liaison_email".split(),
        *"micro small medium large".split(),
        "Webhook",  # the robots' own word: WeCom and DingTalk call the address "Webhook 地址" in Chinese too
        "SEC",  # DingTalk's signing secrets begin with SEC (the form's hint shows the shape)
    )
}
NOT_WORDS = [
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),  # email addresses
    re.compile(r"\b[A-Z]{2,4}-\d{4}-\d{6}\b"),  # ticket numbers: ZK-2025-000001
    re.compile(r"\S+\.(pdf|png|jpe?g|docx|xlsx|csv)\b", re.I),  # file names
    re.compile(r"https?://\S+"),
]
WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z]{2,}(?![A-Za-z0-9_])")
SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "data-confirm")
SKIPPED_TAGS = {"script", "style", "code"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Routes that are not pages: the API and its docs, files and downloads, the language switch, health checks.
NOT_PAGES = ("api", "static", "bootstrap.", "health.", "main.set_language", "tickets.download", "reports.export")


class ShownText(HTMLParser):
    """The text and the shown attributes of a page, without what people never read."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.parts: list[str] = []

    def _skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        # English marked inside the page (not the page's own language, which <html lang> gives)
        marked = tag != "html" and attributes.get("lang") == "en"
        skipped = self._skipping() or tag in SKIPPED_TAGS or marked
        if not skipped:
            self.parts += [attributes[name] or "" for name in SHOWN_ATTRIBUTES if name in attributes]
            if tag == "input" and attributes.get("type") in ("submit", "button", "reset"):
                self.parts.append(attributes.get("value") or "")
        if tag not in VOID:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if not self._skipping():
            self.parts.append(data)


def report(found: dict) -> str:
    return "English on these pages:\n" + "\n".join(f"  {where}: {' '.join(words)}" for where, words in found.items())


def english_words(html: str) -> set[str]:
    parser = ShownText()
    parser.feed(html)
    text = " ".join(parser.parts)
    for pattern in NOT_WORDS:
        text = pattern.sub(" ", text)
    return {word for word in WORD.findall(text) if word.lower() not in ALLOWED}


def test_the_scan_reads_what_people_see_and_nothing_else():
    html = (
        "<html><head><title>诉求 Ticket</title><style>.x{color:red}</style></head><body>"
        '<script>var english = "words";</script><a href="/tickets" class="nav-link">诉求</a>'
        '<span lang="en">English</span><code>hrss</code><input type="submit" value="Save">'
        '<input name="q" placeholder="Search"><button aria-label="Close">×</button>'
        "<p>ZK-2025-000001 · wang.fang@example.cn · 红线图.png · 10 KB PDF</p></body></html>"
    )
    assert english_words(html) == {"Ticket", "Save", "Search", "Close"}
    assert english_words("<p>DOCX 文件</p>") == set()  # the allow-list ignores case


# -- the world the pages show -----------------------------------------------------------------------------


@pytest.fixture()
def world(w, app):
    """The page tests' World, with Chinese names and data, tickets in every state, comments, files, an
    escalated and a transferred ticket, notifications and an admin's audited change."""
    names = {
        "colleague": "李强",
        "hrss_cadre": "陈静",
        "finance_cadre": "周敏",
        "city_cadre": "孙伟",
        "province_cadre": "吴刚",
        "owner": "张总",
        "stranger": "赵总",
        "supervisor": "刘督查",
        "city_supervisor": "周督查",
        "other_supervisor": "郑督查",
        "admin": "管理员",
    }
    for attribute, name in names.items():
        getattr(w, attribute).name = name
    w.company.industry = w.other_company.industry = "机械制造"
    w.province_supervisor = f.fast_supervisor("410000", name="省督查室")
    w.tickets = {status: w.ticket(status) for status in STATES}
    escalated = w.ticket("in_progress")
    perform_action(w.liaison, escalated, "escalate", note="需市级统筹", now=f.TUESDAY)
    transferred = w.ticket("assigned")
    perform_action(w.supervisor, transferred, "transfer", department_id=w.hrss.id, note="属人社局职责", now=f.TUESDAY)
    perform_action(w.supervisor, transferred, "urge", now=f.TUESDAY)
    w.tickets["escalated"], w.tickets["transferred"] = escalated, transferred
    busy = w.tickets["in_progress"]
    add_comment(w.owner, busy, "补充说明：二期用地红线已确认。", now=f.TUESDAY)
    add_comment(w.liaison, busy, "内部：已与规划科沟通。", internal=True, now=f.TUESDAY)
    perform_action(w.supervisor, busy, "add_cohandler", department_id=w.finance.id, now=f.TUESDAY)
    from helpdesk.notifications.models import Robot

    w.robot = Robot(kind="wecom", name="川汇区自然资源局工作群", webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x",
                    department_id=w.nr.id, active=True, created_at=f.TUESDAY)  # fmt: skip
    f.db.session.add(w.robot)
    # Common issues (issue 14): one like it from the other company, indexed, so that the candidate groups and
    # the similar tickets show; a common issue holding one of the tickets.
    from helpdesk.common_issues.indexing import index_pending
    from helpdesk.common_issues.services import create_common_issue

    f.file(
        w.stranger, title="用地指标迟迟没有落实", description="二期项目用地指标承诺已久，至今仍未落实，影响开工建设。"
    )
    index_pending(f.TUESDAY)
    w.issue = create_common_issue(
        w.city_supervisor, title="二期用地指标未落实", ticket_ids=[w.tickets["assigned"].id],
        lead_department_id=w.nr.id, jurisdiction_id=f.jurisdiction("411602").id, now=f.TUESDAY,
    )  # fmt: skip
    f.db.session.commit()
    owner = _login(app, w.owner)
    response = owner.post(
        f"/tickets/{w.tickets['awaiting_enterprise'].id}/attachments",
        data={"file": (io.BytesIO(PNG), "红线图.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    admin = _login(app, w.admin)
    response = admin.post(
        f"/admin/departments/{w.st.id}",
        data={
            "code": "st",
            "name": "川汇区科学技术局",
            "name_en": "Chuanhui District Bureau of Science and Technology",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return w


STATES = ("submitted", "assigned", "in_progress", "awaiting_enterprise", "resolved", "closed", "withdrawn", "declined")
ROLES = ("owner", "liaison", "supervisor", "city_supervisor", "province_supervisor", "admin")


def _login(app, user, locale="zh_CN"):
    from tests.pages.conftest import PASSWORD

    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    client.post(f"/language/{locale}")
    return client


def _path_values(world, user) -> dict[str, list]:
    """Ids to fill each path argument with (every ticket, so every state's page is seen)."""
    from helpdesk.notifications.models import Notification

    notification = f.db.session.scalar(select(Notification.id).where(Notification.user_id == user.id).limit(1))
    return {
        "ticket_id": [t.id for t in world.tickets.values()],
        "enterprise_id": [world.company.id],
        "department_id": [world.nr.id],
        "category_id": [f.db.session.scalar(select(Category.id).where(Category.code == "land"))],
        "rule_id": [f.db.session.scalar(select(RoutingRule.id).limit(1))],
        "user_id": [world.liaison.id],
        "notification_id": [notification] if notification else [],
        "robot_id": [world.robot.id],
        "issue_id": [world.issue.id],
    }


def _pages(app, world, user) -> list[str]:
    paths = []
    values = _path_values(world, user)
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.startswith(NOT_PAGES):
            continue
        arguments = sorted(rule.arguments)
        unknown = [a for a in arguments if a not in values]
        assert not unknown, f"{rule.rule}: teach this test an id for {unknown}"
        if not arguments:
            paths.append(rule.rule)
            continue
        [argument] = arguments
        paths += [
            rule.rule.replace(f"<int:{argument}>", str(v)).replace(f"<{argument}>", str(v)) for v in values[argument]
        ]
    return sorted(set(paths))


def _english_on(client, path: str, method: str = "get", **kwargs) -> set[str]:
    response = getattr(client, method)(path, follow_redirects=True, **kwargs)
    assert response.status_code < 500, (path, response.status_code)
    if response.mimetype != "text/html":
        return set()
    return english_words(response.get_data(as_text=True))


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_every_role_is_chinese(world, app, role):
    user = getattr(world, role)
    client = _login(app, user)
    pages = _pages(app, world, user)
    assert len(pages) > 40
    found = {}
    for path in [*pages, "/tickets/999999", "/no-such-page", "/dashboard?period=custom&from=x"]:
        words = _english_on(client, path)
        if words:
            found[path] = sorted(words)
    assert not found, report(found)
    # The same scan finds the English of the English pages: it reads what it should.
    client.post("/language/en")
    assert {"History", "Details"} <= _english_on(client, f"/tickets/{world.tickets['assigned'].id}")


def test_the_login_page_and_its_errors_are_chinese(app, world):
    anonymous = app.test_client()
    assert _english_on(anonymous, "/login", headers={"Accept-Language": "zh-CN"}) == set()
    wrong = {"email": world.owner.email, "password": "not the password"}
    assert _english_on(anonymous, "/login", "post", data=wrong, headers={"Accept-Language": "zh-CN"}) == set()
    assert _english_on(anonymous, "/tickets", headers={"Accept-Language": "zh-CN"}) == set()  # asked to log in


def _posts(world) -> list[tuple[str, str, dict]]:
    """(who, path, form) of forms sent back with errors, as people get them."""
    tickets = world.tickets
    return [
        ("owner", "/tickets/new", {"title": "短", "description": "太短"}),
        ("owner", "/tickets/new", {"category": "land", "title": "用地", "description": "长" * 6000}),
        ("owner", f"/tickets/{tickets['resolved'].id}/actions/reopen", {"note": ""}),
        ("owner", f"/tickets/{tickets['resolved'].id}/actions/confirm", {"note": "好"}),
        ("owner", f"/tickets/{tickets['in_progress'].id}/comments", {"body": ""}),
        (
            "owner",
            f"/tickets/{tickets['in_progress'].id}/attachments",
            {"file": (io.BytesIO(b"plain text"), "说明.txt")},
        ),
        ("owner", f"/tickets/{tickets['closed'].id}/actions/withdraw", {"note": "不需要了"}),
        ("liaison", f"/tickets/{tickets['in_progress'].id}/actions/resolve", {"note": ""}),
        ("liaison", f"/tickets/{tickets['in_progress'].id}/actions/resolve", {"note": "已解决", "version": "1"}),
        ("liaison", f"/tickets/{tickets['assigned'].id}/actions/transfer", {"note": "转办"}),
        ("supervisor", f"/tickets/{tickets['assigned'].id}/actions/extend", {"days": "99", "note": "延期"}),
        ("supervisor", f"/tickets/{tickets['assigned'].id}/actions/assign", {"assignee_id": "999999"}),
        ("supervisor", "/enterprises/new", {"name": "周口某某有限公司", "credit_code": "91411602MA45ABCDEX"}),
        ("supervisor", "/enterprises/new", {"name": "周口某某有限公司", "credit_code": "9141160"}),
        ("admin", "/admin/users/new", {"email": "不是邮箱", "name": "", "password": "短", "role": "cadre"}),
        (
            "admin",
            "/admin/users/new",
            {"email": world.liaison.email, "name": "王芳", "password": "long enough 1", "role": "cadre"},
        ),
        ("admin", "/admin/departments/new", {"code": "Bad Code", "name": "", "name_en": ""}),
        ("admin", "/admin/categories/new", {"code": "", "response_days": "99"}),
        ("admin", "/admin/routing-rules/new", {}),
        ("admin", "/admin/holidays", {"day": "不是日期"}),
        (
            "admin",
            "/admin/enterprises/import",
            {"file": (io.BytesIO("name,credit_code\n某公司,123\n".encode()), "企业.csv")},
        ),
        ("liaison", "/profile", {"away_until": "不是日期"}),
    ]


def test_forms_sent_back_with_errors_are_chinese(world, app):
    clients = {}
    found = {}
    for who, path, data in _posts(world):
        client = clients.get(who) or clients.setdefault(who, _login(app, getattr(world, who)))
        words = _english_on(client, path, "post", data=data, content_type="multipart/form-data")
        if words:
            found[f"{who} {path} {sorted(data)}"] = sorted(words)
        for obj in world.tickets.values():
            fresh(obj)
    assert not found, report(found)
