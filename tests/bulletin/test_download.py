"""Downloading the bulletin: GET /api/v1/reports/bulletin (supervisors for their subtree, admins; 403 others;
422 for a bad or future month) and the dashboard's 通报 / Bulletin download."""

from __future__ import annotations

import io

import docx
import openpyxl
import pytest

from helpdesk.bulletin.services import DOCX, XLSX
from helpdesk.calendar.workdays import local_date
from helpdesk.db import utcnow
from helpdesk.reports.dashboard import month_start
from tests.api.conftest import assert_error_shape
from tests.pages.conftest import text

API = "/api/v1/reports/bulletin"


def _last_full_month() -> str:
    month = month_start(local_date(utcnow()), 1)
    return f"{month.year}-{month.month:02d}"


def test_the_api_answers_a_document_in_the_callers_language(client, scene, bearer):
    scene.w.city_supervisor.locale = "en"
    headers = bearer(scene.w.city_supervisor)
    response = client.get(API, query_string={"month": "2025-11", "jurisdiction_id": scene.city.id}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == DOCX
    assert response.headers["Content-Disposition"] == 'attachment; filename="bulletin-411600-2025-11.docx"'
    assert response.headers["Cache-Control"] == "private, no-store"
    document = docx.Document(io.BytesIO(response.get_data()))
    assert document.paragraphs[0].text.startswith('Zhoukou City "10,000 People Helping 10,000 Enterprises"')
    assert document.paragraphs[0].text.endswith("November 2025")


def test_the_api_answers_a_workbook_and_defaults_to_the_callers_jurisdiction(client, scene, bearer):
    response = client.get(API, query_string={"month": "2025-11", "format": "xlsx"}, headers=bearer(scene.w.supervisor))
    assert response.status_code == 200 and response.mimetype == XLSX
    assert "bulletin-411602-2025-11.xlsx" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    assert book["概况"]["A1"].value == "川汇区“万人助万企”诉求办理情况通报 2025年11月"


def test_without_a_month_it_is_the_last_full_month(client, scene, bearer):
    response = client.get(API, headers=bearer(scene.w.admin))
    assert response.status_code == 200
    assert f"bulletin-410000-{_last_full_month()}.docx" in response.headers["Content-Disposition"]


def test_the_current_month_is_allowed_so_far(client, scene, bearer):
    today = local_date(utcnow())
    response = client.get(API, query_string={"month": f"{today.year}-{today.month:02d}"}, headers=bearer(scene.w.admin))
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["liaison", "owner"])
def test_other_roles_are_refused(client, scene, bearer, who):
    body = assert_error_shape(client.get(API, headers=bearer(getattr(scene.w, who))), 403)
    assert body["message"] == "Bulletins are for supervisors and admins."


def test_a_jurisdiction_outside_the_supervisors_is_403(client, scene, bearer):
    response = client.get(API, query_string={"jurisdiction_id": scene.city.id}, headers=bearer(scene.w.supervisor))
    assert_error_shape(response, 403)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"month": "2025-13"}, "month"),
        ({"month": "25-11"}, "month"),
        ({"month": "2999-01"}, "month"),  # not begun yet
        ({"month": "1999-12"}, "month"),
        ({"format": "pdf"}, "format"),
        ({"jurisdiction_id": 999999}, "jurisdiction_id"),
        ({"jurisdiction_id": 0}, "jurisdiction_id"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_parameters_are_422_naming_them(client, scene, bearer, query, field):
    body = assert_error_shape(client.get(API, query_string=query, headers=bearer(scene.w.admin)), 422)
    assert field in body["errors"]["query"], body


def test_the_document_describes_both_files(client):
    operation = client.get("/api/v1/openapi.json").get_json()["paths"][API]["get"]
    assert set(operation["responses"]["200"]["content"]) == {DOCX, XLSX}
    assert {"401", "403", "422"} <= set(operation["responses"])


# -- the dashboard's download ---------------------------------------------------------------------


def test_the_dashboard_offers_the_bulletin_to_supervisors(login, scene):
    html = text(login(scene.w.city_supervisor).get("/dashboard"))
    assert 'id="bulletin-download"' in html and 'action="/dashboard/bulletin"' in html
    assert f'<option value="{_last_full_month()}" selected>' in html
    assert 'id="bulletin-download"' not in text(login(scene.w.liaison).get("/dashboard"))


def test_the_page_download_in_the_readers_language(login, scene):
    client = login(scene.w.city_supervisor, "zh_CN")
    query = {"month": "2025-11", "format": "xlsx", "jurisdiction_id": scene.city.id}
    response = client.get("/dashboard/bulletin", query_string=query)
    assert response.status_code == 200 and response.mimetype == XLSX
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    assert book["概况"]["A1"].value == "周口市“万人助万企”诉求办理情况通报 2025年11月"
    english = login(scene.w.city_supervisor, "en").get("/dashboard/bulletin", query_string={**query, "format": "docx"})
    assert docx.Document(io.BytesIO(english.get_data())).paragraphs[0].text.endswith("November 2025")


@pytest.mark.parametrize(
    ("who", "query", "status"),
    [
        ("liaison", {}, 403),
        ("owner", {}, 403),
        ("city_supervisor", {"month": "2999-01"}, 422),
        ("city_supervisor", {"month": "nonsense"}, 422),
        ("city_supervisor", {"format": "pdf"}, 404),
        ("supervisor", {"jurisdiction_id": "city"}, 403),
    ],
)
def test_the_page_download_refuses(login, scene, who, query, status):
    if query.get("jurisdiction_id") == "city":
        query = {"jurisdiction_id": scene.city.id}
    response = login(getattr(scene.w, who)).get("/dashboard/bulletin", query_string=query)
    assert response.status_code == status
