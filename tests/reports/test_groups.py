"""Report rows: by child jurisdiction, department, cadre, category, month and ISO week; the [from, to) period."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from helpdesk.reports.services import resolution_report
from tests import factories

from .conftest import AS_OF


def keys(report):
    return [row.key for row in report.rows]


def totals(report):
    return {row.key: row.figures.total for row in report.rows}


def test_city_supervisor_rows_are_its_counties_quiet_ones_included(tickets):
    tickets.add(3, county="411602", status="closed", rating="satisfied")
    tickets.add(2, county="411603", status="in_progress")
    city = factories.fast_supervisor("411600")
    report = resolution_report(city, group_by="jurisdiction", as_of=AS_OF)
    counties = sorted(j.id for j in factories.jurisdiction("411600").children)
    assert keys(report) == counties
    chuanhui, huaiyang = factories.jurisdiction("411602"), factories.jurisdiction("411603")
    by_key = {row.key: row for row in report.rows}
    assert by_key[chuanhui.id].label == "川汇区"
    assert by_key[chuanhui.id].figures.completion_rate == 1.0
    assert by_key[huaiyang.id].figures.completion_rate == 0.0
    quiet = by_key[factories.jurisdiction("411628").id].figures
    assert (quiet.total, quiet.completion_rate, quiet.score) == (0, None, None)
    assert report.overall.total == 5


def test_county_scope_has_the_county_itself_as_its_row(tickets, admin):
    tickets.add(2, county="411602")
    tickets.add(1, county="411603")
    chuanhui = factories.jurisdiction("411602")
    report = resolution_report(admin, group_by="jurisdiction", jurisdiction_id=chuanhui.id, as_of=AS_OF)
    assert [(row.key, row.label, row.figures.total) for row in report.rows] == [(chuanhui.id, "川汇区", 2)]


def test_province_rows_are_its_cities_with_english_names(tickets, admin):
    tickets.add(2, county="411602")
    tickets.add(1, county="411681")
    report = resolution_report(admin, group_by="jurisdiction", as_of=AS_OF, locale="en")
    zhoukou = factories.jurisdiction("411600")
    assert [(row.key, row.label, row.figures.total) for row in report.rows] == [(zhoukou.id, "Zhoukou City", 3)]


def test_department_rows_with_a_row_for_no_department(tickets, admin):
    nr, hrss = factories.department("411602", "nr"), factories.department("411602", "hrss")
    tickets.add(2, department_id=hrss.id, status="closed", rating="satisfied")
    tickets.add(1, department_id=nr.id)
    tickets.add(1, department_id=None)
    report = resolution_report(admin, group_by="department", as_of=AS_OF, locale="en")
    assert keys(report) == [*sorted([nr.id, hrss.id]), None]
    assert totals(report) == {nr.id: 1, hrss.id: 2, None: 1}
    labels = {row.key: row.label for row in report.rows}
    assert labels[hrss.id] == hrss.name_en
    assert labels[None] == "No department"
    zh = resolution_report(admin, group_by="department", as_of=AS_OF)
    assert {row.key: row.label for row in zh.rows}[hrss.id] == hrss.name


def test_cadre_rows_with_a_row_for_unassigned(tickets, admin):
    wang = factories.fast_cadre("411602", "nr", name="王芳")
    li = factories.fast_cadre("411602", "nr", name="李强")
    tickets.add(2, assignee_id=wang.id)
    tickets.add(1, assignee_id=li.id, status="closed")
    tickets.add(3, status="submitted")
    report = resolution_report(admin, group_by="cadre", as_of=AS_OF)
    assert [(row.key, row.label, row.figures.total) for row in report.rows] == [
        (wang.id, "王芳", 2),
        (li.id, "李强", 1),
        (None, "未分配", 3),
    ]


def test_category_rows_are_keyed_by_code(tickets, admin):
    tickets.add(2, category="land")
    tickets.add(1, category="tax")
    tickets.add(1, category="finance", status="declined")
    report = resolution_report(admin, group_by="category", as_of=AS_OF, locale="en")
    assert [(row.key, row.figures.total, row.figures.eligible) for row in report.rows] == [
        ("finance", 1, 0),
        ("land", 2, 2),
        ("tax", 1, 1),
    ]
    assert report.rows[1].label == "Land"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_months_are_counted_in_shanghai_time(tickets, admin):
    tickets.add(created_at=utc(2024, 3, 31, 15, 59, 59))  # 23:59:59 on 31 March in Shanghai
    tickets.add(2, created_at=utc(2024, 3, 31, 16, 30))  # 00:30 on 1 April in Shanghai
    tickets.add(created_at=utc(2023, 12, 31, 16, 0))  # midnight of New Year's Day 2024
    tickets.add(created_at=utc(2024, 2, 10, 3, 0))
    report = resolution_report(admin, group_by="month", as_of=AS_OF)
    assert [(row.key, row.label, row.figures.total) for row in report.rows] == [
        ("2024-01", "2024-01", 1),
        ("2024-02", "2024-02", 1),
        ("2024-03", "2024-03", 1),
        ("2024-04", "2024-04", 2),
    ]


@pytest.mark.parametrize(
    ("created_at", "week"),
    [
        (utc(2024, 3, 3, 15, 30), "2024-W09"),  # Sunday 23:30 in Shanghai
        (utc(2024, 3, 3, 16, 30), "2024-W10"),  # Monday 00:30 in Shanghai
        (utc(2024, 12, 29, 16, 0), "2025-W01"),  # Monday 30 December 2024 belongs to 2025's first week
        (utc(2021, 1, 3, 3, 0), "2020-W53"),  # Sunday 3 January 2021 is in 2020's 53rd week
        (utc(2026, 1, 1, 3, 0), "2026-W01"),  # a Thursday
        (utc(2027, 1, 1, 3, 0), "2026-W53"),  # a Friday
        (utc(2024, 2, 29, 3, 0), "2024-W09"),
    ],
)
def test_iso_weeks_in_shanghai_time(tickets, admin, created_at, week):
    tickets.add(created_at=created_at)
    report = resolution_report(admin, group_by="week", as_of=AS_OF)
    assert keys(report) == [week]


def test_weeks_sort_chronologically_across_years(tickets, admin):
    for day in (utc(2025, 1, 8, 3), utc(2024, 12, 18, 3), utc(2024, 3, 5, 3), utc(2025, 1, 1, 3)):
        tickets.add(created_at=day)
    report = resolution_report(admin, group_by="week", as_of=AS_OF)
    assert keys(report) == ["2024-W10", "2024-W51", "2025-W01", "2025-W02"]


def test_period_is_from_inclusive_to_exclusive_in_shanghai_dates(tickets, admin):
    tickets.add(created_at=utc(2024, 3, 31, 15, 59, 59))  # March in Shanghai
    tickets.add(2, created_at=utc(2024, 3, 31, 16, 30))  # April in Shanghai
    tickets.add(created_at=utc(2024, 4, 30, 15, 59, 59))  # last second of April in Shanghai
    tickets.add(created_at=utc(2024, 4, 30, 16, 0))  # 1 May, 00:00 in Shanghai
    april = resolution_report(admin, date_from=date(2024, 4, 1), date_to=date(2024, 5, 1), as_of=AS_OF)
    assert april.overall.total == 3
    before = resolution_report(admin, date_to=date(2024, 4, 1), as_of=AS_OF)
    assert before.overall.total == 1
    since = resolution_report(admin, date_from=date(2024, 5, 1), as_of=AS_OF)
    assert since.overall.total == 1


def test_rows_add_up_to_the_overall_figures(tickets, admin):
    nr = factories.department("411602", "nr")
    tickets.add(4, status="closed", rating="satisfied", department_id=nr.id)
    tickets.add(2, status="in_progress", county="411603", created_at=utc(2024, 5, 2, 3))
    tickets.add(1, status="withdrawn", county="411621", created_at=utc(2024, 6, 2, 3))
    overall = resolution_report(admin, as_of=AS_OF).overall
    for group_by in ("jurisdiction", "department", "cadre", "category", "month", "week"):
        report = resolution_report(admin, group_by=group_by, as_of=AS_OF)
        assert report.overall == overall
        assert sum(row.figures.total for row in report.rows) == overall.total == 7
        assert sum(row.figures.completed for row in report.rows) == overall.completed == 4


def test_grouping_respects_the_period_and_filters(tickets, admin):
    tickets.add(category="land", created_at=utc(2024, 1, 10, 3))
    tickets.add(category="land", created_at=utc(2024, 2, 10, 3))
    tickets.add(category="tax", created_at=utc(2024, 2, 11, 3))
    report = resolution_report(
        admin, group_by="month", category="land", date_from=date(2024, 2, 1), as_of=AS_OF + timedelta(days=1)
    )
    assert totals(report) == {"2024-02": 1}
