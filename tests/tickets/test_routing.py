"""Routing (PRODUCT.md §4): the department by rule, the parent's rule or the default; then the cadre."""

from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from helpdesk.auth.models import User
from helpdesk.jurisdictions.models import Category, RoutingRule
from helpdesk.tickets.models import Status, Ticket
from helpdesk.tickets.queries import visible_tickets
from helpdesk.tickets.services import perform_action
from tests import factories as f

NOW = f.TUESDAY
TODAY = NOW.date()  # 2025-03-11, the same day in Shanghai (10:00 there)


def _file(county, category, liaison=None, now=NOW):
    company = f.enterprise(county, liaison=liaison)
    return f.file(f.fast_enterprise_user(company), category=category, now=now)


def _rule_id(category, county):
    return f.db.session.scalar(
        select(RoutingRule.id)
        .join(Category, Category.id == RoutingRule.category_id)
        .where(Category.code == category, RoutingRule.jurisdiction_id == f.jurisdiction(county).id)
    )


def _open_count(user):
    return f.db.session.scalar(select(User.open_tickets).where(User.id == user.id))


# -- the department ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "county, category, expected_county, expected_department, name",
    [
        ("411602", "land", "411602", "nr", "川汇区自然资源局"),
        ("411602", "approval", "411602", "xzsp", None),
        ("411627", "tax", "411627", "tax", None),
        ("411603", "legal", "411603", "office", None),
    ],
)
def test_rule_at_the_county_routes(db, county, category, expected_county, expected_department, name):
    ticket = _file(county, category)
    department = f.department(expected_county, expected_department)
    assert ticket.department_id == department.id
    assert ticket.handling_jurisdiction_id == f.jurisdiction(county).id
    routing = ticket.routing
    assert (routing["category"], routing["jurisdiction_id"], routing["department_id"]) == (
        category,
        f.jurisdiction(county).id,
        department.id,
    )
    assert (routing["rule_id"], routing["rule_jurisdiction_id"]) == (_rule_id(category, county), None)
    assert routing["why"]["department"] == "rule" and routing["trigger"] == "file"
    if name:
        assert department.name == name


@pytest.mark.parametrize(
    "county, category, city_department",
    [
        ("411602", "other", "office"),  # no county has an `other` rule
        ("411627", "other", "office"),
        ("411627", "legal", "court"),  # 太康县 has no `legal` rule
        ("411602", "utilities", "power"),  # 川汇区 has no `utilities` rule
    ],
)
def test_no_rule_at_the_county_uses_the_citys_rule(db, county, category, city_department):
    assert _rule_id(category, county) is None
    cadre = f.fast_cadre("411600", city_department)
    ticket = _file(county, category)
    department = f.department("411600", city_department)
    assert ticket.department_id == department.id
    assert ticket.assignee_id == cadre.id
    assert ticket.handling_jurisdiction_id == f.jurisdiction("411600").id
    assert ticket.jurisdiction_id == f.jurisdiction(county).id
    assert ticket.routing["rule_id"] == _rule_id(category, "411600")
    assert ticket.routing["rule_jurisdiction_id"] == f.jurisdiction("411600").id
    assert ticket.routing["jurisdiction_id"] == f.jurisdiction(county).id
    assert ticket.routing["why"] == {"department": "parent_rule", "cadre": "least_loaded"}


def test_no_rule_anywhere_uses_the_county_default_department(db):
    other = f.db.session.scalar(select(Category.id).where(Category.code == "other"))
    f.db.session.execute(delete(RoutingRule).where(RoutingRule.category_id == other))
    cadre = f.fast_cadre("411627", "office")
    ticket = _file("411627", "other")
    office = f.department("411627", "office")
    assert office.is_default
    assert (ticket.department_id, ticket.assignee_id, ticket.status) == (office.id, cadre.id, "assigned")
    assert ticket.handling_jurisdiction_id == f.jurisdiction("411627").id
    assert ticket.routing["why"]["department"] == "default_department"
    assert (ticket.routing["department_id"], ticket.routing["rule_id"]) == (office.id, None)


def _without_rules(category: str) -> None:
    category_id = f.db.session.scalar(select(Category.id).where(Category.code == category))
    f.db.session.execute(delete(RoutingRule).where(RoutingRule.category_id == category_id))


def test_the_department_marked_default_wins_over_the_oldest(db):
    """The county's office is both its oldest department and its default: move the mark to another one."""
    _without_rules("other")
    office, ndrc = f.department("411627", "office"), f.department("411627", "ndrc")
    assert office.id < ndrc.id
    office.is_default, ndrc.is_default = False, True
    f.db.session.flush()
    ticket = _file("411627", "other")
    assert ticket.department_id == ndrc.id
    assert ticket.routing["why"]["department"] == "default_department"


def test_with_no_department_marked_default_the_oldest_takes_the_ticket(db):
    _without_rules("other")
    f.department("411627", "office").is_default = False
    f.db.session.flush()
    ticket = _file("411627", "other")
    assert ticket.department_id == f.department("411627", "office").id
    assert ticket.routing["why"]["department"] == "default_department"


def test_rule_at_the_province_is_used_when_county_and_city_have_none(db):
    legal = f.db.session.scalar(select(Category.id).where(Category.code == "legal"))
    f.db.session.execute(
        delete(RoutingRule).where(
            RoutingRule.category_id == legal, RoutingRule.jurisdiction_id == f.jurisdiction("411600").id
        )
    )
    ticket = _file("411627", "legal")
    assert ticket.department_id == f.department("410000", "office").id
    assert ticket.routing["rule_jurisdiction_id"] == f.jurisdiction("410000").id


# -- the cadre -------------------------------------------------------------------------------------


def test_the_liaison_is_preferred_in_the_chosen_department(db):
    liaison = f.fast_cadre("411602", "nr", name="王芳")
    f.fast_cadre("411602", "nr")  # idle colleague
    liaison.open_tickets = 7  # busier than anyone: the pairing still wins
    ticket = _file("411602", "land", liaison=liaison)
    assert ticket.assignee_id == liaison.id
    assert ticket.routing["why"]["cadre"] == "liaison" and ticket.routing["cadre_id"] == liaison.id


@pytest.mark.parametrize(
    "away_until, available", [(TODAY, False), (TODAY + timedelta(days=30), False), (TODAY - timedelta(days=1), True)]
)
def test_cadres_away_until_today_or_later_are_skipped(db, away_until, available):
    liaison = f.fast_cadre("411602", "nr", away_until=away_until)
    colleague = f.fast_cadre("411602", "nr")
    ticket = _file("411602", "land", liaison=liaison)
    assert ticket.assignee_id == (liaison.id if available else colleague.id)
    assert ticket.liaison_id == liaison.id


def test_inactive_cadres_are_skipped(db):
    liaison = f.fast_cadre("411602", "nr", active=False)
    inactive = f.fast_cadre("411602", "nr", active=False)
    colleague = f.fast_cadre("411602", "nr")
    ticket = _file("411602", "land", liaison=liaison)
    assert ticket.assignee_id == colleague.id
    assert _open_count(inactive) == 0


def test_away_cadre_is_not_chosen_as_the_least_loaded_either(db):
    away = f.fast_cadre("411602", "nr", away_until=TODAY)
    busy = f.fast_cadre("411602", "nr")
    busy.open_tickets = 5
    assert _file("411602", "land").assignee_id == busy.id
    assert _open_count(away) == 0


def test_the_liaison_is_not_used_outside_the_chosen_department(db):
    liaison = f.fast_cadre("411602", "hrss")
    nr_cadre = f.fast_cadre("411602", "nr")
    ticket = _file("411602", "land", liaison=liaison)
    assert (ticket.department_id, ticket.assignee_id) == (f.department("411602", "nr").id, nr_cadre.id)
    # ... but it follows the ticket: recorded on it, and sees it.
    assert ticket.liaison_id == liaison.id
    assert ticket.id in f.db.session.scalars(visible_tickets(liaison).with_only_columns(Ticket.id)).all()


def test_the_least_loaded_cadre_then_the_least_recently_assigned(db):
    a, b = f.fast_cadre("411602", "nr"), f.fast_cadre("411602", "nr")
    first = _file("411602", "land", now=NOW)  # both idle, never assigned: the first by id
    second = _file("411602", "land", now=NOW + timedelta(minutes=1))  # b has fewer open tickets
    assert (first.assignee_id, second.assignee_id) == (a.id, b.id)
    assert (_open_count(a), _open_count(b)) == (1, 1)
    # A tie at one open ticket each: a was assigned less recently.
    third = _file("411602", "land", now=NOW + timedelta(minutes=2))
    assert third.assignee_id == a.id
    assert third.routing["why"]["cadre"] == "least_loaded" and third.routing["open_tickets"] == 1
    fourth = _file("411602", "land", now=NOW + timedelta(minutes=3))
    assert fourth.assignee_id == b.id
    assert (_open_count(a), _open_count(b)) == (2, 2)


def test_never_assigned_cadres_come_first_in_a_tie(db):
    veteran = f.fast_cadre("411602", "nr", last_assigned_at=NOW - timedelta(days=300))
    newcomer = f.fast_cadre("411602", "nr")  # created later (higher id), never assigned
    assert veteran.id < newcomer.id
    assert _file("411602", "land").assignee_id == newcomer.id


def test_least_recently_assigned_wins_a_tie_regardless_of_id(db):
    recent = f.fast_cadre("411602", "nr", last_assigned_at=NOW - timedelta(days=1))
    older = f.fast_cadre("411602", "nr", last_assigned_at=NOW - timedelta(days=9))
    ticket = _file("411602", "land")
    assert ticket.assignee_id == older.id
    f.db.session.refresh(older)
    assert older.last_assigned_at == NOW
    assert _open_count(recent) == 0


def test_open_count_goes_down_when_tickets_leave_the_cadre(db):
    a = f.fast_cadre("411602", "nr")
    b = f.fast_cadre("411602", "nr")
    one = _file("411602", "land")
    assert one.assignee_id == a.id
    perform_action(a, one, "accept", now=NOW)
    perform_action(a, one, "resolve", note="已解决", now=NOW)
    assert _open_count(a) == 0
    # a has no open ticket again and was assigned at NOW; b never was: b first.
    assert _file("411602", "land", now=NOW + timedelta(hours=1)).assignee_id == b.id
    assert _file("411602", "land", now=NOW + timedelta(hours=2)).assignee_id == a.id


def test_a_department_without_available_cadres_leaves_the_ticket_submitted(db):
    liaison = f.fast_cadre("411602", "nr", away_until=TODAY)
    f.fast_cadre("411602", "nr", active=False)
    supervisor = f.fast_supervisor("411602")
    ticket = _file("411602", "land", liaison=liaison)
    assert (ticket.status, ticket.assignee_id) == (Status.SUBMITTED, None)
    assert ticket.department_id == f.department("411602", "nr").id
    assert ticket.routing["why"]["cadre"] == "no_cadre" and ticket.routing["cadre_id"] is None
    assert ticket.events[0].to_status == "submitted"
    assert ticket.events[0].data["assignee_id"] is None
    assert ticket.liaison_id == liaison.id
    # Supervisors see it in their jurisdiction.
    assert ticket.id in f.db.session.scalars(visible_tickets(supervisor).with_only_columns(Ticket.id)).all()
    assert _open_count(liaison) == 0


def test_the_liaison_follows_the_ticket_through_transfer_and_escalation(db):
    liaison = f.fast_cadre("411602", "nr")
    f.fast_cadre("411602", "hrss")
    city = f.fast_cadre("411600", "hrss")
    supervisor = f.fast_supervisor("411602")
    ticket = _file("411602", "land", liaison=liaison)
    perform_action(
        supervisor, ticket, "transfer", department_id=f.department("411602", "hrss").id, note="转办", now=NOW
    )
    assert ticket.liaison_id == liaison.id and ticket.assignee_id != liaison.id
    # Escalation routes by rule at the city: land → 周口市自然资源和规划局, no cadre there.
    perform_action(supervisor, ticket, "escalate", now=NOW)
    assert ticket.department_id == f.department("411600", "nr").id
    assert (ticket.status, ticket.assignee_id, ticket.liaison_id) == ("submitted", None, liaison.id)
    assert _open_count(city) == 0


def test_escalation_prefers_the_liaison_if_it_works_in_the_department_above(db):
    # A company paired with a city cadre: on escalation to the city the pairing applies again.
    liaison = f.fast_cadre("411600", "nr")
    f.fast_cadre("411600", "nr")
    county_cadre = f.fast_cadre("411602", "nr")
    ticket = _file("411602", "land", liaison=liaison)
    assert ticket.assignee_id == county_cadre.id
    perform_action(county_cadre, ticket, "escalate", now=NOW)
    assert ticket.assignee_id == liaison.id
    assert ticket.routing["why"]["cadre"] == "liaison" and ticket.routing["trigger"] == "escalation"


# -- the decision in words, in the reader's language --------------------------------------------------


def _words(ticket):
    from helpdesk.tickets.routing import describe

    return describe(ticket.routing, "zh_CN"), describe(ticket.routing, "en")


def test_a_rule_and_the_liaison_read_in_chinese_and_in_english(db):
    liaison = f.fast_cadre("411602", "nr", name="王芳")
    ticket = _file("411602", "land", liaison=liaison)
    zh, en = _words(ticket)
    rule = _rule_id("land", "411602")
    assert zh == f"“用地保障”类诉求在川汇区 → 川汇区自然资源局（分派规则 #{rule}）；分派给王芳（企业的包联干部）"
    assert en == (
        f"category Land at Chuanhui District → Chuanhui District Bureau of Natural Resources by rule #{rule}; "
        "assigned to 王芳, paired cadre of the enterprise"
    )


def test_a_parent_rule_the_least_loaded_cadre_and_an_empty_queue_read_in_chinese(db):
    f.fast_cadre("411600", "power", name="赵磊")
    ticket = _file("411602", "utilities")
    zh, en = _words(ticket)
    rule = _rule_id("utilities", "411600")
    assert zh == (
        f"“水电气暖”类诉求在川汇区 → 国网周口供电公司（周口市的分派规则 #{rule}，川汇区无此类规则）；"
        "分派给赵磊（在办诉求最少的可用干部，在办 0 件）"
    )
    assert f"by rule #{rule} of Zhoukou City (no rule at Chuanhui District)" in en
    lonely = _file("411602", "land")
    assert _words(lonely)[0].endswith("；川汇区自然资源局暂无可用干部，在部门队列中等候分派")


def test_transfer_escalation_and_assignment_read_in_chinese_with_who_did_it(db):
    liaison = f.fast_cadre("411602", "nr", name="王芳")
    f.fast_cadre("411602", "hrss", name="陈静")
    supervisor = f.fast_supervisor("411602", name="刘督查")
    ticket = _file("411602", "land", liaison=liaison)
    perform_action(
        supervisor, ticket, "transfer", department_id=f.department("411602", "hrss").id, note="转办", now=NOW
    )
    assert (
        _words(ticket)[0] == "由刘督查转办至川汇区人力资源和社会保障局；分派给陈静（在办诉求最少的可用干部，在办 0 件）"
    )
    perform_action(supervisor, ticket, "escalate", now=NOW)
    zh, en = _words(ticket)
    assert zh.startswith("由川汇区上报至周口市；“用地保障”类诉求在周口市 → 周口市自然资源和规划局（分派规则 #")
    assert en.startswith("escalated from Chuanhui District to Zhoukou City; category Land at Zhoukou City → ")
    city = f.fast_cadre("411600", "nr", name="孙伟")
    city_supervisor = f.fast_supervisor("411600", name="周督查")
    perform_action(city_supervisor, ticket, "assign", assignee_id=city.id, now=NOW)
    assert _words(ticket) == (
        "周督查交办给孙伟（周口市自然资源和规划局）",
        "assigned by 周督查 to 孙伟 (Zhoukou Municipal Bureau of Natural Resources and Planning)",
    )
    assert ticket.routing["why"] == {"department": "assigned_by_supervisor", "cadre": "assigned_by_supervisor"}
    assert ticket.routing["by_id"] == city_supervisor.id


def test_a_ticket_routed_before_decisions_were_stored_shows_its_recorded_sentence(db):
    from helpdesk.tickets.routing import routing_reason

    assert routing_reason(None, "category land at 川汇区 → 川汇区自然资源局 by rule #3", "zh_CN").startswith("category")
    assert routing_reason(None, None, "zh_CN") == ""
