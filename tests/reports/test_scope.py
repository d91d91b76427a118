"""Who sees which report (PRODUCT.md §7 visibility), and the arguments a report refuses."""

from __future__ import annotations

from datetime import date

import pytest

from helpdesk.errors import NotAllowed, ValidationFailed
from helpdesk.reports.services import resolution_report
from tests import factories

from .conftest import AS_OF


@pytest.fixture()
def two_counties(tickets):
    """Three tickets in 川汇区 (411602), two in 淮阳区 (411603)."""
    tickets.add(3, county="411602")
    tickets.add(2, county="411603", status="closed")
    return tickets


def test_admin_sees_everything(two_counties, admin):
    assert resolution_report(admin, as_of=AS_OF).overall.total == 5


def test_supervisor_sees_its_subtree_only(two_counties):
    assert resolution_report(factories.fast_supervisor("411602"), as_of=AS_OF).overall.total == 3
    assert resolution_report(factories.fast_supervisor("411603"), as_of=AS_OF).overall.total == 2
    assert resolution_report(factories.fast_supervisor("411600"), as_of=AS_OF).overall.total == 5
    assert resolution_report(factories.fast_supervisor("410000"), as_of=AS_OF).overall.total == 5


def test_supervisor_of_another_county_sees_nothing_of_this_one(tickets):
    tickets.add(4, county="411602")
    other = factories.fast_supervisor("411603")
    figures = resolution_report(other, as_of=AS_OF).overall
    assert figures.total == 0 and figures.completion_rate is None


@pytest.mark.parametrize("asked", ["411602", "411600", "410000"])
def test_supervisor_may_not_ask_outside_its_subtree(two_counties, asked):
    other = factories.fast_supervisor("411603")
    with pytest.raises(NotAllowed):
        resolution_report(other, jurisdiction_id=factories.jurisdiction(asked).id, as_of=AS_OF)


def test_city_supervisor_may_narrow_to_a_county(two_counties):
    city = factories.fast_supervisor("411600")
    report = resolution_report(city, jurisdiction_id=factories.jurisdiction("411603").id, as_of=AS_OF)
    assert report.overall.total == 2


def test_cadre_sees_only_tickets_assigned_to_it(tickets):
    me = factories.fast_cadre("411602", "nr")
    colleague = factories.fast_cadre("411602", "nr")
    nr = factories.department("411602", "nr")
    tickets.add(2, assignee_id=me.id, department_id=nr.id, status="closed")
    tickets.add(3, assignee_id=colleague.id, department_id=nr.id)
    tickets.add(1, department_id=nr.id, status="submitted", liaison_id=me.id)  # in its department's queue
    report = resolution_report(me, group_by="cadre", as_of=AS_OF)
    assert report.overall.total == 2
    assert [row.key for row in report.rows] == [me.id]
    with pytest.raises(NotAllowed):
        resolution_report(me, cadre_id=colleague.id, as_of=AS_OF)
    assert resolution_report(me, cadre_id=me.id, as_of=AS_OF).overall.total == 2


def test_enterprise_users_get_no_report(two_counties):
    company_user = factories.fast_enterprise_user(two_counties.enterprise("411602"))
    with pytest.raises(NotAllowed):
        resolution_report(company_user)
    with pytest.raises(NotAllowed):  # refused before its arguments are even looked at
        resolution_report(company_user, group_by="nonsense")


def test_filters_by_department_cadre_and_category(tickets, admin):
    wang = factories.fast_cadre("411602", "nr")
    nr, hrss = factories.department("411602", "nr"), factories.department("411602", "hrss")
    tickets.add(2, department_id=nr.id, assignee_id=wang.id, category="land")
    tickets.add(1, department_id=hrss.id, category="labor")
    tickets.add(1, department_id=nr.id, category="labor")
    assert resolution_report(admin, department_id=nr.id, as_of=AS_OF).overall.total == 3
    assert resolution_report(admin, cadre_id=wang.id, as_of=AS_OF).overall.total == 2
    assert resolution_report(admin, category="labor", as_of=AS_OF).overall.total == 2
    assert resolution_report(admin, category="labor", department_id=hrss.id, as_of=AS_OF).overall.total == 1
    supervisor = factories.fast_supervisor("411603")
    assert resolution_report(supervisor, department_id=nr.id, as_of=AS_OF).overall.total == 0


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"group_by": "county"}, "group_by"),
        ({"category": "nonsense"}, "category"),
        ({"date_from": date(2024, 5, 1), "date_to": date(2024, 5, 1)}, "to"),
        ({"date_from": date(2024, 5, 2), "date_to": date(2024, 5, 1)}, "to"),
        ({"jurisdiction_id": 987654}, "jurisdiction_id"),
        ({"department_id": 987654}, "department_id"),
    ],
)
def test_bad_arguments_are_refused_with_their_field(admin, arguments, field):
    with pytest.raises(ValidationFailed) as caught:
        resolution_report(admin, **arguments)
    assert caught.value.field == field
    assert caught.value.status == 422
