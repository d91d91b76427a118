"""The supervisor dashboard (PRODUCT.md §6): figures, board, charts, laggards, league tables, red
tickets with their actions, filters, and the CSV and XLSX files."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from helpdesk.db import utcnow
from helpdesk.tickets.services import perform_action
from tests import factories as f
from tests.pages.conftest import act, fresh, text


@pytest.fixture()
def now():
    return utcnow()


def _completion(html: str) -> str:
    return re.search(r'id="completion-rate">([^<]*)<', html).group(1)


def test_the_supervisor_lands_on_the_dashboard_and_the_figure_moves(w, login, now):
    open_ticket = w.ticket("in_progress", now=now)
    w.ticket("closed", now=now)
    client = login(w.supervisor)
    html = text(client.get("/"))
    assert "Resolution dashboard" in html and _completion(html) == "50.0%"
    assert "1 more completions needed" in html or "completions needed" in html
    perform_action(w.liaison, open_ticket, "resolve", note="已办结")
    f.db.session.flush()
    html = text(client.get("/dashboard"))
    assert _completion(html) == "100.0%" and "target met" in html


def test_the_dashboard_has_the_board_the_charts_the_laggards_and_the_league_tables(w, login, now):
    w.ticket("in_progress", now=now)
    w.ticket("resolved", now=now)
    html = text(login(w.city_supervisor).get("/"))
    board = html.split('id="board"')[1].split("</section>")[0]
    assert board.count("board-tile") == 10  # one tile per county-level division of 周口市
    assert f.jurisdiction("411602").name_en in board  # names in the UI language
    assert "川汇区" in text(login(w.city_supervisor, "zh_CN").get("/")).split('id="board"')[1]
    assert html.count('<svg class="chart"') == 4 and 'class="target"' in html  # phone and desk drawings
    assert 'id="laggards"' in html and w.nr.name_en in html.split('id="laggards"')[1]
    assert 'id="league-jurisdictions"' in html and 'id="league-departments"' in html


def test_red_tickets_are_listed_with_urge_extend_reassign_and_escalate(w, login):
    red = w.ticket("in_progress")  # filed in 2025: long overdue
    client = login(w.supervisor)
    html = text(client.get("/dashboard?period=all"))
    section = html.split('id="red-tickets"')[1]
    assert red.number in section
    for action in ("urge", "escalate", "extend", "assign"):
        assert f'/tickets/{red.id}/actions/{action}"' in section
    response = client.post(
        f"/tickets/{red.id}/actions/urge", data={"version": red.version, "next": "/dashboard?period=all"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard?period=all"
    assert fresh(red).urge_count == 1
    extended = act(client, fresh(red), "extend", days="5", note="企业申请延期", next="/dashboard")
    assert extended.status_code == 302 and fresh(red).events[-1].action == "extend"
    reassigned = act(client, fresh(red), "assign", assignee_id=w.colleague.id, next="/dashboard")
    assert reassigned.status_code == 302 and fresh(red).assignee_id == w.colleague.id


def test_filters_narrow_the_figures_and_nonsense_is_reported_not_a_500(w, login, now):
    w.ticket("closed", now=now)
    client = login(w.supervisor)
    assert _completion(text(client.get("/dashboard?category=land"))) == "100.0%"
    assert _completion(text(client.get("/dashboard?category=tax"))) == "—"
    for query in (
        "period=custom&from=yesterday&to=2020-13-45",
        "period=custom&from=2026-05-01&to=2026-01-01",
        "category=<script>",
        f"jurisdiction_id={f.jurisdiction('411621').id}",
        "jurisdiction_id=abc",
        "period=bogus",
        "page=-1",
    ):
        response = client.get(f"/dashboard?{query}")
        assert response.status_code == 200, query
        assert "<script>" not in text(response).split("</nav>")[1].replace("<script src=", "")
    assert "Not a valid date" in text(client.get("/dashboard?period=custom&from=yesterday"))
    assert "Choose a jurisdiction of yours." in text(
        client.get(f"/dashboard?jurisdiction_id={f.jurisdiction('411621').id}")
    )


def test_csv_and_xlsx_downloads_follow_the_filters(w, login, now):
    w.ticket("closed", now=now)
    client = login(w.supervisor)
    csv = client.get("/dashboard/export.csv?group_by=category")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    # People's headers in the page's language (English here), under a title row.
    assert lines[0].startswith("Resolution rate report · Chuanhui District · Filed ")
    assert lines[1].startswith("Category,Issues filed,Eligible issues,Completed")
    assert any(line.startswith("Land,1,1,1,1,100.0%") for line in lines)
    xlsx = client.get("/dashboard/export.xlsx?group_by=department&period=all")
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.cell(2, 1).value == "Department" and sheet.cell(3, 1).value == "Overall" and sheet.max_row >= 4
    chinese = login(w.supervisor, "zh_CN").get("/dashboard/export.csv?group_by=category&period=all")
    rows = chinese.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert rows[0].startswith("办结率统计表 · 川汇区 · 全部时间 · 数据截至 ")
    assert rows[1].startswith("类别,诉求总数,有效诉求数,已办结") and rows[2].startswith("合计,1,1,1,1,100.0%")
    assert client.get("/dashboard/export.pdf").status_code == 404
    assert client.get("/dashboard/export.csv?period=custom&from=nonsense").status_code == 400


@pytest.mark.parametrize(
    "locale, csv_label, xlsx_label", [("zh_CN", "导出 CSV", "导出 Excel"), ("en", "Export CSV", "Export Excel")]
)
def test_the_export_buttons_say_what_they_do(w, login, now, locale, csv_label, xlsx_label):
    w.ticket("closed", now=now)
    html = text(login(w.supervisor, locale).get("/dashboard?period=last_year"))
    csv_button = re.search(r'<a [^>]*id="export-csv"[^>]*>([^<]*)</a>', html)
    xlsx_button = re.search(r'<a [^>]*id="export-xlsx"[^>]*>([^<]*)</a>', html)
    assert csv_button.group(1) == csv_label and xlsx_button.group(1) == xlsx_label
    assert "/dashboard/export.csv?" in csv_button.group(0) and "period=last_year" in csv_button.group(0)
    assert "/dashboard/export.xlsx?" in xlsx_button.group(0)


def test_a_cadre_sees_its_own_figures_and_enterprises_are_refused(w, login, now):
    w.ticket("resolved", now=now)
    html = text(login(w.liaison).get("/dashboard"))
    assert "My figures" in html and _completion(html) == "100.0%"
    assert 'id="board"' not in html and 'id="red-tickets"' not in html
    assert login(w.owner).get("/dashboard").status_code == 403
    assert login(w.owner).get("/dashboard/export.csv").status_code == 403


def test_an_admin_sees_the_whole_province_on_the_board_of_the_city(w, login, now):
    w.ticket("closed", now=now)
    html = text(login(w.admin).get("/dashboard"))
    assert html.split('id="board"')[1].split("</section>")[0].count("board-tile") == 10


def test_escalating_beyond_the_province_is_a_conflict_with_a_plain_message(w, login):
    ticket = w.ticket("in_progress")
    client = login(w.supervisor)
    assert act(client, ticket, "escalate").status_code == 302  # county → city
    assert act(client, fresh(ticket), "escalate").status_code == 302  # city → province
    assert fresh(ticket).handling_jurisdiction.level == "province"
    response = act(client, fresh(ticket), "escalate")
    assert response.status_code == 409
    assert "cannot be escalated further" in text(response)
