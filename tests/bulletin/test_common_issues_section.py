"""The bulletin's section of common issues (共性问题, issue 14): those of the jurisdiction's subtree opened or
resolved in the month, with their linked tickets, lead department and status, in the bulletin's language,
in the document and the workbook alike."""

from __future__ import annotations

import io

import docx
import openpyxl
import pytest

from helpdesk.bulletin.services import build_bulletin, render_bulletin, system_viewer
from helpdesk.common_issues.services import create_common_issue
from tests import factories as f
from tests.bulletin.conftest import AS_OF, HOUR, NOV_DAY, NOVEMBER, OCTOBER

TITLE = "出口退税与增值税留抵退税迟迟未到账"


@pytest.fixture()
def common(scene):
    """The city's supervisor joins the two open tickets of 川汇区 and 淮阳区 into one common issue in November,
    led by 淮阳区's tax bureau."""
    tickets = [scene.red["huaiyang"].id, scene.red["chuanhui"].id]
    lead = f.department("411603", "tax")
    return create_common_issue(
        scene.w.city_supervisor, title=TITLE, ticket_ids=tickets, lead_department_id=lead.id, now=NOV_DAY + 3 * HOUR
    )


def _lines(scene, month=NOVEMBER, code="411600", locale="zh_CN"):
    jurisdiction = f.jurisdiction(code)
    bulletin = build_bulletin(system_viewer(), month=month, jurisdiction_id=jurisdiction.id, as_of=AS_OF, locale=locale)
    return [(line.title, line.tickets, line.department, line.status) for line in bulletin.common_issues]


def test_the_city_bulletin_lists_the_months_common_issue(scene, common):
    assert _lines(scene) == [(TITLE, 2, "国家税务总局周口市淮阳区税务局", "在办")]
    assert _lines(scene, locale="en")[0][3] == "Open"


def test_other_months_and_a_county_outside_it_do_not(scene, common):
    assert _lines(scene, month=OCTOBER) == []
    assert _lines(scene, code="411602") == []  # the city owns it, not 川汇区


def test_the_document_and_the_workbook_show_it(scene, common):
    document = docx.Document(io.BytesIO(render_bulletin(scene.city, NOVEMBER, "docx", "zh_CN", as_of=AS_OF)))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[-1] == "六、本月共性问题"
    last = document.tables[-1]
    assert [c.text for c in last.rows[1].cells] == [TITLE, "2", "国家税务总局周口市淮阳区税务局", "在办"]
    workbook = openpyxl.load_workbook(io.BytesIO(render_bulletin(scene.city, NOVEMBER, "xlsx", "zh_CN", as_of=AS_OF)))
    sheet = workbook["共性问题"]
    assert TITLE in [cell.value for row in sheet.iter_rows() for cell in row]


def test_without_common_issues_there_is_no_section(scene):
    document = docx.Document(io.BytesIO(render_bulletin(scene.city, NOVEMBER, "docx", "zh_CN", as_of=AS_OF)))
    assert not any("共性问题" in p.text for p in document.paragraphs)
