"""GET /api/v1/reports/resolution: JSON, CSV and XLSX, scoped to what the caller may see."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import openpyxl
import pytest

from tests import factories
from tests.api.conftest import assert_error_shape

FIGURES = {
    "total",
    "eligible",
    "completed",
    "closed",
    "completion_rate",
    "closed_rate",
    "on_time_rate",
    "response_rate",
    "satisfaction_rate",
    "open_by_warning",
    "gap_to_target",
    "meets_target",
    "score",
    "callback_rate",
    "verified_solved_rate",
}


@pytest.fixture()
def tickets(world):
    day = factories.TUESDAY
    return [world.ticket("closed", now=day), world.ticket("in_progress", now=day), world.ticket("withdrawn", now=day)]


def test_json_report(client, world, bearer, tickets):
    response = client.get("/api/v1/reports/resolution?group_by=category", headers=bearer(world.supervisor))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) == {"target", "as_of", "overall", "rows"}
    assert body["target"] == 0.99
    assert datetime.fromisoformat(body["as_of"]).utcoffset() is not None
    assert set(body["overall"]) == FIGURES
    assert body["overall"]["total"] == 3 and body["overall"]["eligible"] == 2 and body["overall"]["completed"] == 1
    assert body["overall"]["completion_rate"] == 0.5
    assert set(body["overall"]["open_by_warning"]) == {"green", "yellow", "orange", "red", "awaiting"}
    [row] = body["rows"]
    assert row["key"] == "land" and row["label"] and set(row) == FIGURES | {"key", "label"}


def test_period_and_scope_filters(client, world, bearer, tickets):
    headers = bearer(world.admin)
    day = factories.TUESDAY.date()
    inside = client.get(
        f"/api/v1/reports/resolution?from={day}&to={day + timedelta(days=1)}&category=land"
        f"&jurisdiction_id={factories.jurisdiction('411602').id}",
        headers=headers,
    ).get_json()
    assert inside["overall"]["total"] == 3
    before = client.get(f"/api/v1/reports/resolution?to={day}", headers=headers).get_json()
    assert before["overall"]["total"] == 0 and before["overall"]["completion_rate"] is None
    assert before["overall"]["meets_target"] is None


def test_csv_download(client, world, bearer, tickets):
    response = client.get("/api/v1/reports/resolution?group_by=month&format=csv", headers=bearer(world.supervisor))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert ".csv" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("key,label,total")
    assert len(lines) == 3  # header, overall, one month
    assert lines[2].startswith("2025-03,")


def test_xlsx_download(client, world, bearer, tickets):
    response = client.get("/api/v1/reports/resolution?format=xlsx", headers=bearer(world.admin))
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("key", "label", "total")


def test_files_with_peoples_headers_in_the_callers_language(client, world, bearer, tickets):
    headers = bearer(world.supervisor)
    machine = client.get("/api/v1/reports/resolution?group_by=month&format=csv&headers=machine", headers=headers)
    assert machine.get_data(as_text=True).lstrip("\ufeff").startswith("key,label,total")
    chinese = client.get("/api/v1/reports/resolution?group_by=month&format=csv&headers=people", headers=headers)
    assert chinese.headers["Content-Type"] == "text/csv; charset=utf-8"
    lines = chinese.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("办结率统计表 · 川汇区 · 全部时间")
    assert lines[1].startswith("月份,诉求总数,有效诉求数") and lines[2].startswith("合计,")
    world.admin.locale = "en"
    xlsx = client.get("/api/v1/reports/resolution?format=xlsx&headers=people", headers=bearer(world.admin))
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.get_data()))
    assert workbook.sheetnames == ["Resolution rates", "Definitions"]
    assert workbook.active["A1"].value.startswith("Resolution rate report · Henan Province · All time")
    assert workbook.active["A2"].value == "Scope" and workbook.active["B2"].value == "Issues filed"
    refused = client.get("/api/v1/reports/resolution?format=csv&headers=pretty", headers=headers)
    assert refused.status_code == 422


def test_a_cadre_sees_the_report_of_its_own_tickets(client, world, bearer, tickets):
    mine = client.get("/api/v1/reports/resolution", headers=bearer(world.liaison)).get_json()
    assert mine["overall"]["total"] == 3
    none = client.get("/api/v1/reports/resolution", headers=bearer(world.colleague)).get_json()
    assert none["overall"]["total"] == 0


def test_enterprise_users_get_403(client, world, bearer):
    assert_error_shape(client.get("/api/v1/reports/resolution", headers=bearer(world.owner)), 403)
    assert_error_shape(client.get("/api/v1/reports/resolution?format=csv", headers=bearer(world.owner)), 403)


def test_a_supervisor_cannot_report_outside_its_jurisdiction(client, world, bearer):
    other = factories.jurisdiction("411603").id
    assert_error_shape(
        client.get(f"/api/v1/reports/resolution?jurisdiction_id={other}", headers=bearer(world.supervisor)), 403
    )


@pytest.mark.parametrize(
    "query, field",
    [
        ("group_by=year", "group_by"),
        ("format=pdf", "format"),
        ("from=2025-02-30", "from"),
        ("category=nonsense", "category"),
        ("from=2025-03-01&to=2025-03-01", "to"),
        ("jurisdiction_id=2147483647", "jurisdiction_id"),
        ("cadre_id=1", "cadre_id"),
    ],
)
def test_bad_report_arguments_are_422(client, world, bearer, query, field):
    response = client.get(f"/api/v1/reports/resolution?{query}", headers=bearer(world.admin))
    assert_error_shape(response, 422)
    errors = response.get_json()["errors"]
    assert field in errors.get("query", {}) or field in errors.get("json", {})
