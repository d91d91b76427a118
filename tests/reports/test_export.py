"""The report as CSV (streamed) and XLSX (read back with csv and openpyxl): the machine files the API gives
by default, and the people's files of the dashboard, in Chinese and in English."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from types import GeneratorType

import openpyxl
import pytest

from helpdesk.reports.export import COLUMNS, display_width, report_csv, report_xlsx
from helpdesk.reports.export_labels import PEOPLE_COLUMNS
from helpdesk.reports.services import resolution_report
from tests import factories

from .conftest import AS_OF, FILED


@pytest.fixture()
def city(db):
    return factories.fast_supervisor("411600")


@pytest.fixture()
def report(tickets, city):
    tickets.add(2, county="411602", status="closed", rating="satisfied")
    tickets.add(1, county="411602", status="closed", rating="basically_satisfied")
    tickets.add(1, county="411603", status="in_progress", first_response_at=FILED + timedelta(hours=1))
    return resolution_report(city, group_by="jurisdiction", as_of=AS_OF)


def _csv(report, locale, headers="people") -> list[list[str]]:
    text = "".join(report_csv(report, locale, headers=headers))
    assert text.startswith("\ufeff")  # Excel reads UTF-8 when it sees the BOM
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def _xlsx(report, locale, headers="people"):
    return openpyxl.load_workbook(io.BytesIO(report_xlsx(report, locale, headers=headers)))


# -- machine files (the API's default: field names, raw fractions) -------------------------------------


def test_csv_is_streamed_line_by_line_header_first(report):
    lines = report_csv(report)
    assert isinstance(lines, GeneratorType)
    first = next(lines)
    assert first.startswith("\ufeff")
    assert first.lstrip("\ufeff").rstrip("\r\n").split(",") == list(COLUMNS)
    rest = list(lines)
    assert len(rest) == 1 + 10  # the overall row, then the ten counties


def test_machine_csv_values(report):
    text = "".join(report_csv(report)).lstrip("\ufeff")
    records = list(csv.DictReader(io.StringIO(text)))
    overall, rows = records[0], {r["label"]: r for r in records[1:]}
    assert (overall["key"], overall["label"], overall["total"], overall["completed"]) == ("", "合计", "4", "3")
    assert float(overall["completion_rate"]) == pytest.approx(0.75)
    assert overall["meets_target"] == "false"
    chuanhui = rows["川汇区"]
    assert chuanhui["key"] == str(factories.jurisdiction("411602").id)
    assert float(chuanhui["satisfaction_rate"]) == pytest.approx((2 + 0.9) / 3)
    assert chuanhui["meets_target"] == "true"
    assert rows["淮阳区"]["open_red"] == "1"  # a year past its deadline
    quiet = rows["鹿邑县"]
    assert (quiet["total"], quiet["completion_rate"], quiet["meets_target"], quiet["score"]) == ("0", "", "", "")


def test_machine_xlsx_has_header_overall_and_group_rows(report):
    workbook = _xlsx(report, None, headers="machine")
    assert len(workbook.worksheets) == 1
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == COLUMNS
    assert len(rows) == 1 + 1 + 10
    header = {name: i for i, name in enumerate(COLUMNS)}
    overall = rows[1]
    assert overall[header["label"]] == "合计" and overall[header["key"]] is None
    assert overall[header["total"]] == 4
    assert overall[header["completion_rate"]] == pytest.approx(0.75)
    assert overall[header["meets_target"]] is False
    by_label = {row[header["label"]]: row for row in rows[2:]}
    assert by_label["川汇区"][header["completed"]] == 3
    assert by_label["鹿邑县"][header["completion_rate"]] is None
    rate_cell = sheet.cell(row=2, column=header["completion_rate"] + 1)
    assert "%" in rate_cell.number_format


def test_machine_files_name_the_overall_row_in_the_callers_language(report):
    assert "\r\n,Overall,4," in "".join(report_csv(report, locale="en"))
    assert "\r\n,合计,4," in "".join(report_csv(report, locale="zh_CN"))


def test_headers_must_be_machine_or_people(report):
    with pytest.raises(ValueError):
        report_csv(report, headers="robots")
    with pytest.raises(ValueError):
        report_xlsx(report, headers="robots")


# -- people's files (the dashboard's buttons; the API with headers=people) -------------------------------

ZH_HEADERS = [
    "行政区划",
    "诉求总数",
    "有效诉求数",
    "已办结",
    "已销号",
    "办结率",
    "销号率",
    "按期办结率",
    "按时响应率",
    "满意率",
    "在办·绿灯",
    "在办·黄灯",
    "在办·橙灯",
    "在办·红灯",
    "在办·待企业补充",
    "距目标尚差办结数",
    "是否达标",
    "综合成绩",
]
EN_HEADERS = [
    "Jurisdiction",
    "Issues filed",
    "Eligible issues",
    "Completed",
    "Closed",
    "Completion rate",
    "Closed rate",
    "On-time completion rate",
    "On-time response rate",
    "Satisfaction rate",
    "Open: green",
    "Open: yellow",
    "Open: orange",
    "Open: red",
    "Open: awaiting the enterprise",
    "Completions still needed",
    "Meets the target",
    "Score",
]


def test_people_csv_in_chinese_title_headers_and_percentages(report):
    rows = _csv(report, "zh_CN")
    assert rows[0] == ["办结率统计表 · 周口市 · 全部时间 · 数据截至 2025-03-12 10:00（北京时间） · 目标 99%"]
    assert rows[1] == ZH_HEADERS
    cells = [dict(zip(PEOPLE_COLUMNS, row, strict=True)) for row in rows[2:]]
    overall, by_name = cells[0], {c["label"]: c for c in cells[1:]}
    assert len(cells) == 1 + 10
    assert (overall["label"], overall["total"], overall["completed"]) == ("合计", "4", "3")
    assert overall["completion_rate"] == "75.0%" and overall["meets_target"] == "否"
    chuanhui = by_name["川汇区"]
    assert chuanhui["completion_rate"] == "100.0%" and chuanhui["meets_target"] == "是"
    assert chuanhui["satisfaction_rate"] == "96.7%"  # (2 + 0.9) / 3, one decimal
    score = report.rows[0].figures.score
    assert (
        chuanhui["score"] == f"{score:.1f}" and "." in chuanhui["score"] and len(chuanhui["score"].split(".")[1]) == 1
    )
    assert by_name["淮阳区"]["open_red"] == "1"
    quiet = by_name["鹿邑县"]
    assert (quiet["total"], quiet["completion_rate"], quiet["meets_target"], quiet["score"]) == ("0", "", "", "")


def test_people_csv_in_english(report, city):
    rows = _csv(resolution_report(city, group_by="jurisdiction", as_of=AS_OF, locale="en"), "en")
    assert rows[0] == [
        "Resolution rate report · Zhoukou City · All time · As of 2025-03-12 10:00 (Beijing time) · Target 99%"
    ]
    assert rows[1] == EN_HEADERS
    overall = dict(zip(PEOPLE_COLUMNS, rows[2], strict=True))
    assert (overall["label"], overall["completion_rate"], overall["meets_target"]) == ("Overall", "75.0%", "No")
    assert "Chuanhui District" in {row[0] for row in rows[3:]}


def test_the_title_names_the_filters_and_the_period(tickets, city):
    tickets.add(1, county="411602", category="land", status="closed")
    nr = factories.department("411602", "nr")
    chuanhui = factories.jurisdiction("411602")
    report = resolution_report(
        city,
        group_by="category",
        jurisdiction_id=chuanhui.id,
        department_id=nr.id,
        category="land",
        date_from=date(2024, 1, 1),
        date_to=date(2025, 1, 1),
        as_of=AS_OF,
    )
    title = _csv(report, "zh_CN")[0][0]
    assert title.startswith("办结率统计表 · 川汇区 · 部门：") and nr.name in title
    assert "类别：" in title and "提交日期 2024-01-01 至 2024-12-31" in title
    assert _csv(report, "zh_CN")[1][0] == "类别"
    english = _csv(report, "en")[0][0]
    assert "Chuanhui District · Department: " in english and "Filed 2024-01-01 to 2024-12-31" in english
    assert "Category: Land" in english
    half_open = resolution_report(city, date_from=date(2024, 6, 1), as_of=AS_OF)
    assert "提交日期 2024-06-01 起" in _csv(half_open, "zh_CN")[0][0]


def test_a_cadres_file_says_whose_tickets_it_counts(tickets, db):
    cadre = factories.fast_cadre("411602", "nr", name="赵敏")
    report = resolution_report(cadre, group_by="month", as_of=AS_OF)
    assert "干部：赵敏" in _csv(report, "zh_CN")[0][0]
    assert _csv(report, "en")[1][0] == "Month"


def test_people_xlsx_in_chinese(report):
    workbook = _xlsx(report, "zh_CN")
    assert workbook.sheetnames == ["办结率", "指标说明"]
    sheet = workbook["办结率"]
    assert sheet["A1"].value.startswith("办结率统计表 · 周口市 · 全部时间 · 数据截至 2025-03-12 10:00")
    assert [c.value for c in sheet[2]] == ZH_HEADERS
    assert sheet.freeze_panes == "B3"  # title and header rows, and the names, stay in view
    column = {name: i + 1 for i, name in enumerate(PEOPLE_COLUMNS)}
    overall = {name: sheet.cell(3, i).value for name, i in column.items()}
    assert overall["label"] == "合计" and overall["total"] == 4 and overall["meets_target"] == "否"
    rate = sheet.cell(3, column["completion_rate"])
    assert rate.value == pytest.approx(0.75) and rate.number_format == "0.0%"  # a number, shown as 75.0%
    assert sheet.cell(3, column["score"]).number_format == "0.0"
    assert sheet.cell(3, column["label"]).font.b  # the overall row stands out
    by_name = {sheet.cell(r, 1).value: r for r in range(4, sheet.max_row + 1)}
    assert sheet.cell(by_name["鹿邑县"], column["completion_rate"]).value is None
    assert sheet.cell(by_name["川汇区"], column["meets_target"]).value == "是"


def test_people_xlsx_in_english(report):
    workbook = _xlsx(report, "en")
    assert workbook.sheetnames == ["Resolution rates", "Definitions"]
    sheet = workbook["Resolution rates"]
    assert sheet["A1"].value.startswith("Resolution rate report · Zhoukou City · All time · As of 2025-03-12 10:00")
    assert [c.value for c in sheet[2]] == EN_HEADERS
    assert sheet["A3"].value == "Overall"


@pytest.mark.parametrize(
    "locale, words",
    [
        ("zh_CN", ("办结率", "有效诉求数", "99%", "0.9 × 基本满意", "0.10 × 按时响应率")),
        ("en", ("Completed ÷ eligible", "99%", "0.9 × basically satisfied", "0.10 × response rate")),
    ],
)
def test_the_second_sheet_defines_every_figure_in_the_files_language(report, locale, words):
    workbook = _xlsx(report, locale)
    first, notes = workbook.worksheets
    rows = list(notes.iter_rows(values_only=True))
    assert len(rows) == 1 + len(PEOPLE_COLUMNS)
    assert [row[0] for row in rows[1:]] == [c.value for c in first[2]]  # one definition per column
    assert all(row[1] for row in rows[1:])
    text = " ".join(row[1] for row in rows[1:])
    for word in words:
        assert word in text, word
    assert notes.freeze_panes == "A2"


def test_columns_are_wide_enough_for_chinese_names(tickets, city, db):
    long_name = "周口市川汇区某某产业集聚区管理委员会经济发展局"
    department = factories.department("411602", "nr")
    department.name = long_name
    tickets.add(1, county="411602", department_id=department.id, status="closed")
    report = resolution_report(city, group_by="department", as_of=AS_OF)
    sheet = _xlsx(report, "zh_CN").worksheets[0]
    assert display_width(long_name) == 2 * len(long_name)
    assert sheet.column_dimensions["A"].width >= display_width(long_name)
    assert sheet.column_dimensions["A"].width <= 50
    rate_column = openpyxl.utils.get_column_letter(PEOPLE_COLUMNS.index("completion_rate") + 1)
    assert 8 <= sheet.column_dimensions[rate_column].width <= 20
