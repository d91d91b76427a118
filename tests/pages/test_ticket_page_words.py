"""The ticket page in people's words (issue 12): the handling level as 县级 / 市级 / 省级, status badges in a
palette of their own, the routing decision in the reader's language, and uploads in the history."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from helpdesk import labels
from tests import factories as f
from tests.pages.conftest import PNG, act, fresh, text

CSS = (Path(__file__).resolve().parents[2] / "helpdesk" / "static" / "helpdesk.css").read_text(encoding="utf-8")


def _dd(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">(.*?)</', html, re.S)
    assert found, element_id
    return found.group(1).strip()


@pytest.mark.parametrize(
    "locale, county, city",
    [
        ("zh_CN", "县级（川汇区）", "市级（周口市）"),
        ("en", "County level (Chuanhui District)", "City level (Zhoukou City)"),
    ],
)
def test_the_handling_level_reads_as_a_level(w, login, locale, county, city):
    ticket = w.ticket("assigned")
    client = login(w.liaison, locale)
    assert _dd(text(client.get(f"/tickets/{ticket.id}")), "handling-level") == county
    assert act(client, ticket, "escalate", note="需市级统筹").status_code == 302
    html = text(login(w.supervisor, locale).get(f"/tickets/{ticket.id}"))
    assert _dd(html, "handling-level") == city
    assert "所在县区）" not in html


def test_status_badges_have_a_palette_of_their_own():
    warning_colours = set(re.findall(r"--hd-(?:green|yellow|orange|red): (#[0-9a-f]{6})", CSS))
    assert len(warning_colours) == 4
    for status, style in labels.STATUS_STYLES.items():
        rule = re.search(rf"\.badge-{style} \{{([^}}]*)\}}", CSS)
        assert rule, f"no CSS for {status}"
        colours = set(re.findall(r"#[0-9a-f]{6}", rule.group(1)))
        assert colours and not colours & warning_colours, status
        assert "--hd-" not in rule.group(1) and "success" not in style and "warning" not in style, status


def test_the_routing_decision_is_shown_in_the_readers_language(w, login):
    ticket = w.ticket("assigned")
    chinese = _dd(text(login(w.liaison, "zh_CN").get(f"/tickets/{ticket.id}")), "routing")
    english = _dd(text(login(w.liaison, "en").get(f"/tickets/{ticket.id}")), "routing")
    assert chinese.startswith("“用地保障”类诉求在川汇区 → 川汇区自然资源局（分派规则 #")
    assert english.startswith("category Land at Chuanhui District → Chuanhui District Bureau of Natural Resources")
    history = text(login(w.liaison, "zh_CN").get(f"/tickets/{ticket.id}"))
    assert '<div class="small text-muted text-break routing">“用地保障”类诉求' in history  # the filing event too


def test_a_ticket_routed_before_decisions_were_stored_shows_its_recorded_reason(w, login):
    ticket = w.ticket("assigned")
    ticket.routing, ticket.routing_reason = None, "category land at 川汇区 → 川汇区自然资源局 by rule #3"
    f.db.session.commit()
    html = text(login(w.liaison, "zh_CN").get(f"/tickets/{ticket.id}"))
    assert _dd(html, "routing") == "category land at 川汇区 → 川汇区自然资源局 by rule #3"


def test_a_document_sent_in_answer_to_a_question_appears_in_the_history(w, login):
    ticket = w.ticket("awaiting_enterprise")
    owner = login(w.owner, "zh_CN")
    upload = owner.post(
        f"/tickets/{ticket.id}/attachments",
        data={"file": (io.BytesIO(PNG), "用地红线图.png")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    assert act(owner, ticket, "provide_info", note="红线图已上传").status_code == 302
    cadre = login(w.liaison, "zh_CN")
    note = cadre.post(
        f"/tickets/{ticket.id}/attachments",
        data={"file": (io.BytesIO(PNG), "内部核查记录.png"), "internal": "y"},
        content_type="multipart/form-data",
    )
    assert note.status_code == 302
    html = text(cadre.get(f"/tickets/{ticket.id}"))
    timeline = html[html.index('id="timeline"') :]
    public = re.search(r'<li class="upload" data-upload="public">(.*?)</li>', timeline, re.S).group(1)
    assert w.owner.name in public and "上传了文件" in public and "用地红线图.png" in public
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", public)
    internal = re.search(r'<li class="upload internal" data-upload="internal">(.*?)</li>', timeline, re.S).group(1)
    assert w.liaison.name in internal and "内部" in internal and "内部核查记录.png" in internal
    # In order: the question, the upload, the answer, the internal file.
    order = [m.group(0) for m in re.finditer(r'data-(?:event|upload)="(\w+)"', timeline)]
    assert order == [
        'data-event="file"',
        'data-event="accept"',
        'data-event="request_info"',
        'data-upload="public"',
        'data-event="provide_info"',
        'data-upload="internal"',
    ]
    enterprise_view = text(owner.get(f"/tickets/{ticket.id}"))
    assert "用地红线图.png" in enterprise_view and "内部核查记录.png" not in enterprise_view
    assert fresh(ticket).status == "in_progress"


def test_uploads_filed_with_the_issue_come_right_after_the_filing(w, login):
    owner = login(w.owner, "zh_CN")
    response = owner.post(
        "/tickets/new",
        data={
            "category": "land",
            "title": "用地指标迟迟未落实",
            "description": "项目二期用地指标已承诺三个月，至今没有落实。",
            "priority": "normal",
            "attachments": [(io.BytesIO(PNG), "承诺函.png")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    html = text(owner.get(response.headers["Location"]))
    timeline = html[html.index('id="timeline"') :]
    order = [m.group(0) for m in re.finditer(r'data-(?:event|upload)="(\w+)"', timeline)]
    assert order[:2] == ['data-event="file"', 'data-upload="public"']
