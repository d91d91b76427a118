"""The report as CSV (streamed) and XLSX (read back with openpyxl)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from types import GeneratorType

import openpyxl
import pytest

from helpdesk.reports.export import COLUMNS, report_csv, report_xlsx
from helpdesk.reports.services import resolution_report
from tests import factories

from .conftest import AS_OF, FILED


@pytest.fixture()
def report(tickets, admin):
    tickets.add(2, county="411602", status="closed", rating="satisfied")
    tickets.add(1, county="411602", status="closed", rating="basically_satisfied")
    tickets.add(1, county="411603", status="in_progress", first_response_at=FILED + timedelta(hours=1))
    city = factories.fast_supervisor("411600")
    return resolution_report(city, group_by="jurisdiction", as_of=AS_OF)


def test_csv_is_streamed_line_by_line_header_first(report):
    lines = report_csv(report)
    assert isinstance(lines, GeneratorType)
    first = next(lines)
    assert first.startswith("\ufeff")  # Excel reads UTF-8 when it sees the BOM
    assert first.lstrip("\ufeff").rstrip("\r\n").split(",") == list(COLUMNS)
    rest = list(lines)
    assert len(rest) == 1 + 10  # the overall row, then the ten counties


def test_csv_values(report):
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


def test_xlsx_has_header_overall_and_group_rows(report):
    workbook = openpyxl.load_workbook(io.BytesIO(report_xlsx(report)))
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


def test_english_overall_label(report):
    text = "".join(report_csv(report, locale="en"))
    assert "\r\n,Overall,4," in text
