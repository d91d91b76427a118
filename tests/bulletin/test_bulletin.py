"""The monthly 通报: its figures are the resolution report's for the same scope and month, its league tables
the dashboard's with the change of rank since the month before; the XLSX and DOCX files read back (openpyxl,
python-docx) with the same figures, in Chinese and in English."""

from __future__ import annotations

import io
from datetime import date

import docx
import openpyxl
import pytest

from helpdesk.bulletin.services import build_bulletin, parse_month, render_bulletin
from helpdesk.bulletin.texts import HEADLINE, LEAGUE
from helpdesk.errors import NotAllowed, ValidationFailed
from helpdesk.reports.charts import percent
from helpdesk.reports.services import resolution_report
from tests.bulletin.conftest import AS_OF, NOVEMBER, OCTOBER

ZH_TITLE = "周口市“万人助万企”诉求办理情况通报 2025年11月"
EN_TITLE = 'Zhoukou City "10,000 People Helping 10,000 Enterprises": Issue Handling Bulletin, November 2025'


def _bulletin(scene, locale="zh_CN", month=NOVEMBER, viewer=None, **kwargs):
    viewer = viewer or scene.w.city_supervisor
    return build_bulletin(viewer, month=month, jurisdiction_id=scene.city.id, as_of=AS_OF, locale=locale, **kwargs)


def _report(scene, date_from, date_to, **kwargs):
    return resolution_report(
        scene.w.city_supervisor,
        jurisdiction_id=scene.city.id,
        date_from=date_from,
        date_to=date_to,
        as_of=AS_OF,
        **kwargs,
    )


# -- what it says ---------------------------------------------------------------------------------


def test_the_figures_are_the_reports_for_the_month_and_the_year_to_date(scene):
    bulletin = _bulletin(scene)
    month = _report(scene, NOVEMBER, date(2025, 12, 1)).overall
    year = _report(scene, date(2025, 1, 1), date(2025, 12, 1)).overall
    assert bulletin.month_figures.as_dict() == month.as_dict()
    assert bulletin.year_figures.as_dict() == year.as_dict()
    assert (month.total, month.completed, year.total, year.completed) == (4, 3, 8, 6)
    assert month.callback_rate == pytest.approx(1 / 3) and month.verified_solved_rate == 1.0
    assert bulletin.target == 0.99 and bulletin.so_far is False


def test_league_tables_rank_with_the_change_since_the_month_before(scene):
    bulletin = _bulletin(scene)
    by_month = _report(scene, NOVEMBER, date(2025, 12, 1), group_by="jurisdiction")
    scores = {row.key: row.figures.score for row in by_month.rows}
    counties = [(line.rank, line.label, line.change) for line in bulletin.counties]
    assert counties == [(1, "淮阳区", 1), (2, "川汇区", -1)]  # the other eight had no tickets: not ranked
    assert [line.figures.score for line in bulletin.counties] == [scores[scene.huaiyang.id], scores[scene.chuanhui.id]]
    departments = {line.label: (line.rank, line.previous_rank) for line in bulletin.departments}
    assert departments == {"国家税务总局周口市淮阳区税务局": (1, 2), "川汇区自然资源局": (2, 1)}


def test_a_unit_not_ranked_the_month_before_is_new(scene):
    october = _bulletin(scene, month=OCTOBER)
    assert [line.change for line in october.counties] == [None, None]  # September had no tickets


def test_laggards_and_red_tickets_with_their_handlers(scene):
    bulletin = _bulletin(scene)
    assert [(item.kind, item.label, item.figures.gap_to_target) for item in bulletin.laggards] == [
        ("jurisdiction", "川汇区", 1),  # equal gaps: by name
        ("department", "川汇区自然资源局", 1),
    ]
    red = {line.number: line for line in bulletin.red_tickets}
    assert set(red) == {scene.red["huaiyang"].number, scene.red["chuanhui"].number}
    line = red[scene.red["chuanhui"].number]
    assert (line.department, line.handler, line.jurisdiction) == ("川汇区自然资源局", "王芳", "川汇区")
    assert bulletin.red_tickets[0].number == scene.red["huaiyang"].number  # red the longest first
    assert bulletin.common_issues == []  # the hook of issue 14


def test_a_county_bulletin_has_no_league_of_counties(scene):
    bulletin = build_bulletin(
        scene.w.supervisor, month=NOVEMBER, jurisdiction_id=scene.chuanhui.id, as_of=AS_OF, locale="zh_CN"
    )
    assert bulletin.counties == []
    assert [line.label for line in bulletin.departments] == ["川汇区自然资源局"]
    assert bulletin.month_figures.total == 2


def test_who_may_read_which_bulletin(scene):
    w = scene.w
    for person in (w.liaison, w.owner):
        with pytest.raises(NotAllowed):
            _bulletin(scene, viewer=person)
    with pytest.raises(NotAllowed):
        _bulletin(scene, viewer=w.supervisor)  # 川汇区's supervisor asking for the city
    assert _bulletin(scene, viewer=w.admin).month_figures.total == 4
    own = build_bulletin(w.supervisor, month=NOVEMBER, as_of=AS_OF)  # its own jurisdiction by default
    assert own.jurisdiction.code == "411602"
    assert build_bulletin(w.admin, month=NOVEMBER, as_of=AS_OF).jurisdiction.code == "410000"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2025-11", date(2025, 11, 1)), ("2025-12", date(2025, 12, 1)), (None, date(2025, 11, 1))],
)
def test_months_read(text, expected):
    assert parse_month(text, date(2025, 12, 2)) == expected


@pytest.mark.parametrize("text", ["2026-01", "2025-13", "2025-1", "11/2025", "", "1999-12", "0000-01", "２０２５-１１"])
def test_a_bad_or_future_month_is_refused(text):
    with pytest.raises(ValidationFailed) as refused:
        parse_month(text, date(2025, 12, 2))
    assert refused.value.field == "month"


def test_the_current_month_is_so_far(scene):
    bulletin = build_bulletin(
        scene.w.city_supervisor, month=date(2025, 12, 1), jurisdiction_id=scene.city.id, as_of=AS_OF
    )
    assert bulletin.so_far is True and bulletin.month_figures.total == 0


# -- the XLSX workbook ----------------------------------------------------------------------------


def _workbook(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def _approx(value):
    return value if value is None or isinstance(value, int) else pytest.approx(value, rel=1e-14)


def _rows(sheet, first: int = 2) -> list[list]:
    return [list(row) for row in sheet.iter_rows(min_row=first, values_only=True)]


def test_the_workbook_reads_back_with_the_reports_figures(scene):
    bulletin = _bulletin(scene)
    book = _workbook(render_bulletin(scene.city, NOVEMBER, "xlsx", "zh_CN", as_of=AS_OF))
    assert book.sheetnames == ["概况", "县区排名", "部门排名", "落后单位", "红色预警诉求"]
    summary = book["概况"]
    assert summary["A1"].value == ZH_TITLE
    assert summary.freeze_panes == "A5"
    rows = _rows(summary, first=5)
    assert len(rows) == len(HEADLINE)
    for (name, _label, kind), (_shown, month, year, _target) in zip(HEADLINE, rows):
        # Excel keeps 15 significant digits: rates and scores come back equal to that precision.
        assert month == _approx(getattr(bulletin.month_figures, name)), name
        assert year == _approx(getattr(bulletin.year_figures, name)), name
        if kind == "rate" and month is not None:
            assert summary.cell(row=5 + [h[0] for h in HEADLINE].index(name), column=2).number_format == "0.0%"
    assert rows[2][3] == 0.99  # the completion rate's target
    counties = book["县区排名"]
    assert counties.freeze_panes == "A2"
    assert [row[:3] for row in _rows(counties)] == [[1, "↑1", "淮阳区"], [2, "↓1", "川汇区"]]
    score_column = 3 + [name for name, _l, _k in LEAGUE].index("score")
    assert _rows(counties)[0][score_column] == _approx(bulletin.counties[0].figures.score)
    red = _rows(book["红色预警诉求"])
    assert {row[0] for row in red} == {line.number for line in bulletin.red_tickets}
    assert ["川汇区自然资源局", "王芳"] in [row[4:6] for row in red]


def test_the_workbook_in_english(scene):
    book = _workbook(render_bulletin(scene.city, NOVEMBER, "xlsx", "en", as_of=AS_OF))
    assert book.sheetnames == ["Summary", "League of counties", "League of departments", "Laggards", "Red tickets"]
    assert book["Summary"]["A1"].value == EN_TITLE
    assert [row[2] for row in _rows(book["League of counties"])] == ["Huaiyang District", "Chuanhui District"]
    assert _rows(book["Summary"], first=4)[0][:3] == ["Figure", "This month", "Year to date"]


def test_text_from_people_is_never_a_formula(scene):
    scene.w.company.name = '=HYPERLINK("http://evil.example")'
    book = _workbook(render_bulletin(scene.city, NOVEMBER, "xlsx", "zh_CN", as_of=AS_OF))
    cells = [cell for row in book["红色预警诉求"].iter_rows(min_row=2) for cell in row]
    assert any(cell.value == scene.w.company.name and cell.data_type == "s" for cell in cells)


# -- the DOCX document ----------------------------------------------------------------------------


def _document(data: bytes):
    return docx.Document(io.BytesIO(data))


def test_the_document_reads_back_with_the_reports_figures(scene):
    bulletin = _bulletin(scene)
    document = _document(render_bulletin(scene.city, NOVEMBER, "docx", "zh_CN", as_of=AS_OF))
    assert document.paragraphs[0].text == ZH_TITLE
    assert document.core_properties.title == ZH_TITLE
    assert document.paragraphs[1].text == "数据截至 2025-12-02 10:00"
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "一、主要指标",
        "二、县区排名",
        "三、部门排名",
        "四、未达目标单位（按差距排序）",
        "五、红色预警诉求",
    ]
    headline, counties, departments, laggards, red = document.tables
    month = bulletin.month_figures
    values = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in headline.rows[1:]}
    assert values["办结率"] == [percent(month.completion_rate), percent(bulletin.year_figures.completion_rate), "99.0%"]
    assert values["受理诉求（件）"][:2] == ["4", "8"]
    assert values["回访率"][0] == percent(month.callback_rate)
    assert values["综合成绩"][0] == f"{month.score:.1f}"
    assert [[c.text for c in row.cells[:3]] for row in counties.rows[1:]] == [
        ["1", "↑1", "淮阳区"],
        ["2", "↓1", "川汇区"],
    ]
    assert [row.cells[2].text for row in departments.rows[1:]] == ["国家税务总局周口市淮阳区税务局", "川汇区自然资源局"]
    assert [row.cells[1].text for row in laggards.rows[1:]] == ["川汇区", "川汇区自然资源局"]
    assert {row.cells[0].text for row in red.rows[1:]} == {line.number for line in bulletin.red_tickets}
    texts = [p.text for p in document.paragraphs]
    summary = texts[texts.index("一、主要指标") + 1]
    assert summary.startswith("2025年11月共受理诉求4件，办结3件") and "距目标还需办结1件" in summary
    east_asian = document.styles["Normal"].element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    )
    assert east_asian == "SimSun"


def test_the_document_in_english(scene):
    document = _document(render_bulletin(scene.city, NOVEMBER, "docx", "en", as_of=AS_OF))
    assert document.paragraphs[0].text == EN_TITLE
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "1. Headline figures" and headings[1] == "2. League of counties"
    counties = document.tables[1]
    assert [row.cells[2].text for row in counties.rows[1:]] == ["Huaiyang District", "Chuanhui District"]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "In November 2025, 4 issues were filed and 3 completed" in text
    assert "1 more completions are needed" in text


def test_the_current_month_says_so_far(scene):
    document = _document(render_bulletin(scene.city, date(2025, 12, 1), "docx", "en", as_of=AS_OF))
    assert any("not over yet" in p.text for p in document.paragraphs)


def test_an_unknown_format_is_refused(scene):
    with pytest.raises(ValidationFailed):
        render_bulletin(scene.city, NOVEMBER, "pdf", "en", as_of=AS_OF)
