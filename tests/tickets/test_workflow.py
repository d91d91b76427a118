"""The ticket workflow (PRODUCT.md §3): filing, and the whole transition table walked cell by cell."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from helpdesk.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from helpdesk.tickets.models import Status, Ticket, TicketEvent, TicketSequence
from helpdesk.tickets.queries import visible_tickets
from helpdesk.tickets.services import add_comment, file_ticket, perform_action
from helpdesk.tickets.workflow import TRANSITIONS, Party
from tests import factories as f

NOW = f.TUESDAY
LATER = NOW + timedelta(hours=2)


@pytest.fixture()
def w(db):
    return f.World()


def _snapshot(ticket):
    """(version, status, number of events) as the database has them (pending changes are flushed first)."""
    version, status = f.db.session.execute(select(Ticket.version, Ticket.status).where(Ticket.id == ticket.id)).one()
    events = f.db.session.scalar(
        select(func.count()).select_from(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
    )
    return version, status, events


def _counts():
    """Tickets, events and the sum of handed-out numbers: all unchanged when filing is refused."""
    s = f.db.session
    return (
        s.scalar(select(func.count()).select_from(Ticket)),
        s.scalar(select(func.count()).select_from(TicketEvent)),
        s.scalar(select(func.coalesce(func.sum(TicketSequence.last_value), 0))),
    )


def _last_event(ticket):
    return f.db.session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id.desc()).limit(1)
    ).one()


# -- filing --------------------------------------------------------------------------------------


def test_filing_routes_numbers_and_records_the_file_event(w):
    ticket = f.file(w.owner, category="land", now=NOW, priority="urgent")

    assert ticket.number == "ZK-2025-000001"
    assert (ticket.number_prefix, ticket.number_year, ticket.number_seq) == ("ZK", 2025, 1)
    assert ticket.status == Status.ASSIGNED
    assert ticket.priority == "urgent"
    assert ticket.department_id == w.nr.id
    assert ticket.assignee_id == w.liaison.id
    assert ticket.liaison_id == w.liaison.id
    assert ticket.enterprise_id == w.company.id
    assert ticket.jurisdiction_id == ticket.handling_jurisdiction_id == f.jurisdiction("411602").id
    assert ticket.created_by_id == w.owner.id
    assert ticket.routing["department_id"] == w.nr.id and ticket.routing["cadre_id"] == w.liaison.id
    assert ticket.routing["why"] == {"department": "rule", "cadre": "liaison"}
    assert ticket.due_at > ticket.yellow_from > ticket.response_due_at > NOW
    [event] = ticket.events
    assert (event.action, event.from_status, event.to_status, event.actor_id) == ("file", None, "assigned", w.owner.id)
    assert event.data["routing"] == ticket.routing
    assert event.data["department_id"] == w.nr.id and event.data["assignee_id"] == w.liaison.id


def test_ticket_numbers_are_gapless_per_prefix_and_year(w):
    numbers = [f.file(w.owner, now=NOW + timedelta(minutes=i)).number for i in range(4)]
    assert numbers == ["ZK-2025-000001", "ZK-2025-000002", "ZK-2025-000003", "ZK-2025-000004"]
    # Another year starts again at 1; the prefix comes from 周口市 for every county under it.
    other = f.enterprise("411627")
    assert f.file(f.fast_enterprise_user(other), now=datetime(2024, 6, 3, 2, tzinfo=UTC)).number == "ZK-2024-000001"
    assert f.file(w.owner, now=NOW + timedelta(days=1)).number == "ZK-2025-000005"


def test_ticket_number_year_is_the_shanghai_year(w):
    # 2024-12-31 17:00 UTC is 2025-01-01 01:00 in Shanghai.
    assert f.file(w.owner, now=datetime(2024, 12, 31, 17, 0, tzinfo=UTC)).number == "ZK-2025-000001"
    # 2024-12-31 15:59 UTC is still 23:59 on New Year's Eve there.
    assert f.file(w.owner, now=datetime(2024, 12, 31, 15, 59, tzinfo=UTC)).number == "ZK-2024-000001"


def test_refused_filing_does_not_use_up_a_number(w):
    assert f.file(w.owner).number == "ZK-2025-000001"
    with pytest.raises(ValidationFailed):
        f.file(w.owner, title="短")
    assert f.file(w.owner).number == "ZK-2025-000002"


GOOD = {
    "category": "land",
    "title": "用地指标迟迟未落实",
    "description": "项目二期用地指标已承诺三个月，至今没有落实。",
}


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"category": "nonsense"}, "category"),
        ({"category": ""}, "category"),
        ({"title": "四个字儿"}, "title"),  # 4 characters
        ({"title": "   abcd   "}, "title"),  # stripped before counting
        ({"title": "x" * 201}, "title"),
        ({"description": "123456789"}, "description"),
        ({"description": "x" * 5001}, "description"),
        ({"priority": "high"}, "priority"),
        ({"priority": ""}, "priority"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_bad_field_is_refused_and_nothing_is_written(w, changes, field):
    before = _counts()
    with pytest.raises(ValidationFailed) as err:
        file_ticket(w.owner, now=NOW, **{**GOOD, **changes})
    assert err.value.field == field
    assert _counts() == before


@pytest.mark.parametrize("title_length", [5, 200])
def test_title_length_bounds_are_inclusive(w, title_length):
    assert file_ticket(w.owner, now=NOW, **{**GOOD, "title": "x" * title_length}).title == "x" * title_length


@pytest.mark.parametrize("description_length", [10, 5000])
def test_description_length_bounds_are_inclusive(w, description_length):
    ticket = file_ticket(w.owner, now=NOW, **{**GOOD, "description": "y" * description_length})
    assert len(ticket.description) == description_length


def test_enterprise_user_cannot_file_for_another_company(w):
    before = _counts()
    with pytest.raises(ValidationFailed) as err:
        file_ticket(w.owner, now=NOW, enterprise_id=w.other_company.id, **GOOD)
    assert err.value.field == "enterprise_id"
    assert _counts() == before
    # Naming its own company is fine.
    assert file_ticket(w.owner, now=NOW, enterprise_id=w.company.id, **GOOD).enterprise_id == w.company.id


@pytest.mark.parametrize(
    "who",
    [
        "cadre_elsewhere",  # a 淮阳区 cadre, not the company's liaison
        "supervisor_elsewhere",  # a 淮阳区 supervisor
        "admin_without_enterprise",
        "admin_unknown_enterprise",
    ],
)
def test_filing_on_behalf_of_an_enterprise_one_cannot_see_is_refused(w, who):
    actor = {
        "cadre_elsewhere": lambda: f.fast_cadre("411603", "nr"),
        "supervisor_elsewhere": lambda: f.fast_supervisor("411603"),
        "admin_without_enterprise": lambda: w.admin,
        "admin_unknown_enterprise": lambda: w.admin,
    }[who]()
    enterprise_id = {
        "admin_without_enterprise": None,
        "admin_unknown_enterprise": 987654,
    }.get(who, w.company.id)
    before = _counts()
    with pytest.raises(ValidationFailed) as err:
        file_ticket(actor, now=NOW, enterprise_id=enterprise_id, **GOOD)
    assert err.value.field == "enterprise_id"
    assert _counts() == before


@pytest.mark.parametrize("who", ["county_cadre", "liaison_elsewhere", "supervisor", "city_supervisor", "admin"])
def test_government_users_file_on_behalf_of_enterprises_they_can_see(w, who):
    elsewhere = f.fast_cadre("411603", "nr")
    company = w.company
    if who == "liaison_elsewhere":  # the liaison sees the companies it is paired with, wherever they are
        company = f.enterprise("411602", liaison=elsewhere)
    actor = {
        "county_cadre": w.hrss_cadre,
        "liaison_elsewhere": elsewhere,
        "supervisor": w.supervisor,
        "city_supervisor": w.city_supervisor,
        "admin": w.admin,
    }[who]
    ticket = file_ticket(actor, now=NOW, enterprise_id=company.id, **GOOD)
    assert ticket.enterprise_id == company.id
    assert ticket.created_by_id == actor.id
    assert ticket.events[0].actor_id == actor.id


# -- the transition table, walked cell by cell -------------------------------------------------

ACTOR_OF = {
    Party.ASSIGNEE: "liaison",
    Party.ENTERPRISE: "owner",
    Party.SUPERVISOR: "supervisor",
    Party.ADMIN: "admin",
    Party.SYSTEM: None,
    Party.LEAD: "hrss_cadre",  # once the ticket is in a common issue its department leads (_lead_actor)
}
PREFERENCE = [Party.SUPERVISOR, Party.ASSIGNEE, Party.ENTERPRISE, Party.ADMIN, Party.SYSTEM]


def _params(w, action):
    """Valid input for each action on a ticket of `w` (notes everywhere: optional ones are allowed)."""
    return {
        "accept": {},
        "assign": {"assignee_id": w.colleague.id},
        "transfer": {"department_id": w.hrss.id, "note": "属人社局职责"},
        "escalate": {"note": "县级无法解决"},
        "request_info": {"note": "请补充用地红线图"},
        "provide_info": {"note": "已上传红线图"},
        "add_cohandler": {"department_id": w.finance.id},
        "resolve": {"note": "指标已下达"},
        "confirm": {"rating": "basically_satisfied"},
        "reopen": {"note": "指标仍未到位"},
        "withdraw": {"note": "已自行解决"},
        "decline": {"note": "重复诉求"},
        "urge": {},
        "extend": {"days": 3, "note": "需要省厅批复"},
        "auto_close": {},
        "reopen_on_callback": {"note": "回访：用地指标仍未到位"},
        "resolve_common": {"note": "共性问题已统一解决"},
    }[action]


def _lead_actor(w, ticket):
    """Put the ticket in a common issue led by 川汇区人社局 and return a cadre of that department."""
    from helpdesk.common_issues.services import create_common_issue

    create_common_issue(
        w.supervisor, title="共性问题测试", ticket_ids=[ticket.id], lead_department_id=w.hrss.id, now=NOW
    )
    return w.hrss_cadre


def _actor(w, party):
    name = ACTOR_OF[party]
    return getattr(w, name) if name else None


ALLOWED = [
    pytest.param(action, status, party, id=f"{action}-{status}-{party}")
    for action, t in TRANSITIONS.items()
    for status in sorted(t.from_statuses)
    for party in sorted(t.who)
    # A submitted ticket has no assignee (it waits in a department's queue): no assignee party.
    if not (status == Status.SUBMITTED and party == Party.ASSIGNEE)
]

REFUSED = [
    pytest.param(action, status, id=f"{action}-{status}")
    for action, t in TRANSITIONS.items()
    for status in Status
    if status not in t.from_statuses
]


@pytest.mark.parametrize("action, status, party", ALLOWED)
def test_allowed_transition_moves_to_its_status_and_records_its_event(w, action, status, party):
    ticket = w.ticket(status)
    actor = _lead_actor(w, ticket) if party == Party.LEAD else _actor(w, party)
    version, before, events = _snapshot(ticket)
    assert before == status

    perform_action(actor, ticket, action, version=version, now=LATER, **_params(w, action))

    expected = TRANSITIONS[action].to_status or status
    new_version, now_status, new_events = _snapshot(ticket)
    assert now_status == expected
    assert new_events == events + 1
    assert new_version > version
    event = _last_event(ticket)
    assert (event.action, event.from_status, event.to_status) == (action, status.value, expected.value)
    assert event.actor_id == (actor.id if actor else None)
    assert event.created_at == LATER
    assert event.internal == (action in ("urge", "add_cohandler"))


@pytest.mark.parametrize("action, status", REFUSED)
def test_action_the_status_does_not_allow_is_a_conflict_and_writes_nothing(w, action, status):
    ticket = w.ticket(status)
    party = next(p for p in PREFERENCE if p in TRANSITIONS[action].who)
    actor = _actor(w, party)
    if party == Party.ASSIGNEE and ticket.assignee_id is None:
        # Submitted tickets have no assignee; give it one so that only the status can refuse.
        ticket.assignee_id = w.liaison.id
        f.db.session.flush()
    snapshot = _snapshot(ticket)

    with pytest.raises(InvalidTransition) as err:
        perform_action(actor, ticket, action, now=LATER, **_params(w, action))

    assert err.value.status == 409
    assert isinstance(err.value, Conflict)
    assert _snapshot(ticket) == snapshot


def test_the_walk_covers_every_action_and_status():
    covered = {(p.values[0], p.values[1]) for p in ALLOWED} | {(p.values[0], p.values[1]) for p in REFUSED}
    assert covered == {(a, s) for a in TRANSITIONS for s in Status}


# -- who may ------------------------------------------------------------------------------------

WRONG_PARTY = [
    ("resolve", "in_progress", "colleague"),  # a cadre who is not the assignee
    ("resolve", "in_progress", "finance_cadre"),
    ("resolve", "in_progress", "supervisor"),
    ("accept", "assigned", "colleague"),
    ("accept", "assigned", "owner"),
    ("request_info", "in_progress", "supervisor"),
    ("confirm", "resolved", "stranger"),  # an enterprise user of another company
    ("reopen", "resolved", "stranger"),
    ("withdraw", "assigned", "stranger"),
    ("provide_info", "awaiting_enterprise", "stranger"),
    ("confirm", "resolved", "liaison"),
    ("confirm", "resolved", "admin"),
    ("urge", "assigned", "other_supervisor"),  # a supervisor of another county
    ("decline", "assigned", "other_supervisor"),
    ("extend", "assigned", "other_supervisor"),
    ("transfer", "assigned", "other_supervisor"),
    ("urge", "assigned", "liaison"),
    ("urge", "assigned", "admin"),
    ("decline", "assigned", "admin"),  # admins keep reference data; declining is a supervisor's call
    ("decline", "assigned", "liaison"),
    ("extend", "assigned", "liaison"),
    ("extend", "assigned", "admin"),
    ("assign", "assigned", "liaison"),
    ("assign", "assigned", "other_supervisor"),
    ("escalate", "assigned", "owner"),
    ("escalate", "assigned", "colleague"),
    ("escalate", "assigned", "admin"),
    ("transfer", "assigned", "colleague"),
    ("add_cohandler", "assigned", "owner"),
    ("withdraw", "assigned", "liaison"),
    ("withdraw", "assigned", "supervisor"),
]


@pytest.mark.parametrize("action, status, who", WRONG_PARTY, ids=[f"{w}-{a}" for a, _, w in WRONG_PARTY])
def test_wrong_party_is_not_allowed_and_nothing_is_written(w, action, status, who):
    ticket = w.ticket(status)
    snapshot = _snapshot(ticket)
    with pytest.raises(NotAllowed) as err:
        perform_action(getattr(w, who), ticket, action, now=LATER, **_params(w, action))
    assert err.value.status == 403
    assert _snapshot(ticket) == snapshot


def test_a_supervisor_above_the_county_may_act(w):
    ticket = w.ticket("assigned")
    perform_action(w.city_supervisor, ticket, "urge", now=LATER)
    assert ticket.urge_count == 1


@pytest.mark.parametrize("who", ["owner", "liaison", "supervisor", "admin"])
def test_auto_close_cannot_be_asked_for_by_a_person(w, who):
    ticket = w.ticket("resolved")
    snapshot = _snapshot(ticket)
    with pytest.raises(ValidationFailed) as err:
        perform_action(getattr(w, who), ticket, "auto_close", now=LATER)
    assert err.value.field == "action"
    assert _snapshot(ticket) == snapshot


def test_unknown_action_is_refused(w):
    ticket = w.ticket("assigned")
    with pytest.raises(ValidationFailed) as err:
        perform_action(w.supervisor, ticket, "delete", now=LATER)
    assert err.value.field == "action"


# -- stale versions --------------------------------------------------------------------------


def test_stale_version_is_a_conflict_and_writes_nothing(w):
    ticket = w.ticket("assigned")
    loaded = ticket.version
    perform_action(w.supervisor, ticket, "urge", version=loaded, now=LATER)
    snapshot = _snapshot(ticket)
    with pytest.raises(InvalidTransition) as err:
        perform_action(w.liaison, ticket, "accept", version=loaded, now=LATER)
    assert err.value.status == 409
    assert _snapshot(ticket) == snapshot
    # With the current version it goes through.
    perform_action(w.liaison, ticket, "accept", version=ticket.version, now=LATER)
    assert ticket.status == Status.IN_PROGRESS


# -- required input -------------------------------------------------------------------------

MISSING = [
    ("transfer", "assigned", "supervisor", {"department_id": "hrss"}, "note"),
    ("transfer", "assigned", "supervisor", {"note": "转办"}, "department_id"),
    ("escalate", "assigned", "supervisor", {"note": "   "}, None),  # escalate needs no note: blank is fine
    ("request_info", "in_progress", "liaison", {}, "note"),
    ("request_info", "in_progress", "liaison", {"note": "   "}, "note"),
    ("provide_info", "awaiting_enterprise", "owner", {}, "note"),
    ("resolve", "in_progress", "liaison", {}, "note"),
    ("resolve", "in_progress", "liaison", {"note": "x" * 5001}, "note"),
    ("confirm", "resolved", "owner", {}, "rating"),
    ("confirm", "resolved", "owner", {"rating": "great"}, "rating"),
    ("reopen", "resolved", "owner", {}, "note"),
    ("withdraw", "assigned", "owner", {}, "note"),
    ("decline", "assigned", "supervisor", {}, "note"),
    ("extend", "assigned", "supervisor", {"days": 3}, "note"),
    ("extend", "assigned", "supervisor", {"note": "延期"}, "days"),
    ("assign", "assigned", "supervisor", {}, "assignee_id"),
    ("add_cohandler", "assigned", "supervisor", {}, "department_id"),
]


@pytest.mark.parametrize(
    "action, status, who, given, field",
    MISSING,
    ids=[f"{a}-{fld or 'ok'}-{i}" for i, (a, _, _, _, fld) in enumerate(MISSING)],
)
def test_missing_required_input_is_refused_with_its_field(w, action, status, who, given, field):
    ticket = w.ticket(status)
    given = {k: (w.hrss.id if v == "hrss" else v) for k, v in given.items()}
    snapshot = _snapshot(ticket)
    if field is None:
        perform_action(getattr(w, who), ticket, action, now=LATER, **given)
        return
    with pytest.raises(ValidationFailed) as err:
        perform_action(getattr(w, who), ticket, action, now=LATER, **given)
    assert err.value.field == field
    assert err.value.status == 422
    assert _snapshot(ticket) == snapshot


@pytest.mark.parametrize(
    "assignee, reason",
    [
        ("hrss_elsewhere", "outside the supervisor's subtree"),
        ("inactive", "inactive"),
        ("owner", "not a cadre"),
        ("liaison", "already the assignee"),
        ("missing", "no such user"),
    ],
)
def test_assign_refuses_a_cadre_it_cannot_use(w, assignee, reason):
    ticket = w.ticket("assigned")
    target = {
        "hrss_elsewhere": lambda: f.fast_cadre("411603", "hrss").id,
        "inactive": lambda: f.fast_cadre("411602", "nr", active=False).id,
        "owner": lambda: w.owner.id,
        "liaison": lambda: w.liaison.id,
        "missing": lambda: 987654,
    }[assignee]()
    snapshot = _snapshot(ticket)
    with pytest.raises(ValidationFailed) as err:
        perform_action(w.supervisor, ticket, "assign", assignee_id=target, now=LATER)
    assert err.value.field == "assignee_id", reason
    assert _snapshot(ticket) == snapshot


def test_assign_moves_the_ticket_and_the_open_counts(w):
    ticket = w.ticket("assigned")
    perform_action(w.supervisor, ticket, "assign", assignee_id=w.colleague.id, now=LATER)
    f.db.session.refresh(w.liaison)
    f.db.session.refresh(w.colleague)
    assert (ticket.status, ticket.assignee_id, ticket.department_id) == ("assigned", w.colleague.id, w.nr.id)
    assert (w.liaison.open_tickets, w.colleague.open_tickets) == (0, 1)
    assert w.colleague.last_assigned_at == LATER
    assert ticket.liaison_id == w.liaison.id  # the liaison still follows it


# -- the less obvious actions ---------------------------------------------------------------


def test_accept_sets_the_first_response_once(w):
    ticket = w.ticket("assigned")
    perform_action(w.liaison, ticket, "accept", now=LATER)
    assert ticket.first_response_at == LATER
    perform_action(w.liaison, ticket, "request_info", note="请补充材料", now=LATER + timedelta(hours=1))
    assert ticket.first_response_at == LATER


def test_resolve_confirm_and_reopen(w):
    ticket = w.ticket("in_progress")
    perform_action(w.liaison, ticket, "resolve", note="指标已下达", now=LATER)
    assert (ticket.status, ticket.resolved_at) == ("resolved", LATER)
    perform_action(w.owner, ticket, "reopen", note="指标仍未到位", now=LATER + timedelta(hours=1))
    assert (ticket.status, ticket.reopen_count, ticket.resolved_at) == ("in_progress", 1, None)
    assert _last_event(ticket).data == {"reopen_count": 1}
    then = LATER + timedelta(hours=2)
    perform_action(w.liaison, ticket, "resolve", note="已协调到位", now=then)
    perform_action(w.owner, ticket, "confirm", rating="dissatisfied", now=then)
    assert (ticket.status, ticket.rating, ticket.closed_at, ticket.resolved_at) == (
        "closed",
        "dissatisfied",
        then,
        then,
    )


def test_urge_counts_and_is_internal(w):
    ticket = w.ticket("in_progress")
    for n in (1, 2, 3):
        perform_action(w.supervisor, ticket, "urge", now=LATER + timedelta(minutes=n))
        assert ticket.urge_count == n
        event = _last_event(ticket)
        assert (event.data, event.internal, event.from_status, event.to_status) == (
            {"urge_count": n},
            True,
            "in_progress",
            "in_progress",
        )


@pytest.mark.parametrize("days", [0, 31, -1, "3"])
def test_extend_is_between_1_and_30_working_days(w, days):
    ticket = w.ticket("assigned")
    snapshot = _snapshot(ticket)
    with pytest.raises(ValidationFailed) as err:
        perform_action(w.supervisor, ticket, "extend", days=days, note="延期", now=LATER)
    assert err.value.field == "days"
    assert _snapshot(ticket) == snapshot


@pytest.mark.parametrize("days", [1, 30])
def test_extend_accepts_the_bounds(w, days):
    ticket = w.ticket("assigned")
    old_due = ticket.due_at
    perform_action(w.supervisor, ticket, "extend", days=days, note="延期", now=LATER)
    assert ticket.due_at > old_due


def test_escalate_walks_county_city_province_then_conflicts(w):
    ticket = w.ticket("in_progress")
    county, city, province = (f.jurisdiction(c) for c in ("411602", "411600", "410000"))

    perform_action(w.liaison, ticket, "escalate", note="县级无法协调", now=LATER)
    assert ticket.handling_jurisdiction_id == city.id
    assert ticket.department_id == f.department("411600", "nr").id
    assert (ticket.status, ticket.assignee_id) == ("assigned", w.city_cadre.id)
    assert ticket.jurisdiction_id == county.id  # the enterprise's county stays
    assert ticket.liaison_id == w.liaison.id
    event = _last_event(ticket)
    assert (event.data["from_jurisdiction_id"], event.data["to_jurisdiction_id"]) == (county.id, city.id)

    perform_action(w.supervisor, ticket, "escalate", now=LATER)
    assert ticket.handling_jurisdiction_id == province.id
    assert ticket.department_id == f.department("410000", "nr").id
    assert ticket.assignee_id == w.province_cadre.id

    snapshot = _snapshot(ticket)
    with pytest.raises(Conflict) as err:
        perform_action(w.supervisor, ticket, "escalate", now=LATER)
    assert err.value.status == 409
    assert _snapshot(ticket) == snapshot
    assert ticket.handling_jurisdiction_id == province.id


def test_escalate_without_a_cadre_above_waits_in_the_queue(w):
    ticket = w.ticket("assigned")
    w.city_cadre.away_until = NOW.date() + timedelta(days=10)
    perform_action(w.supervisor, ticket, "escalate", now=LATER)
    assert (ticket.status, ticket.assignee_id) == ("submitted", None)
    assert ticket.department_id == f.department("411600", "nr").id
    assert ticket.routing["trigger"] == "escalation" and ticket.routing["by_id"] == w.supervisor.id
    assert ticket.routing["from_jurisdiction_id"] == f.jurisdiction("411602").id
    assert ticket.routing["jurisdiction_id"] == f.jurisdiction("411600").id
    assert ticket.routing["why"]["cadre"] == "no_cadre" and ticket.routing["cadre_id"] is None


def test_transfer_reroutes_inside_the_target_department(w):
    ticket = w.ticket("in_progress")
    perform_action(w.liaison, ticket, "transfer", department_id=w.hrss.id, note="属人社局职责", now=LATER)
    assert (ticket.status, ticket.department_id, ticket.assignee_id) == ("assigned", w.hrss.id, w.hrss_cadre.id)
    assert ticket.routing["trigger"] == "transfer" and ticket.routing["by_id"] == w.liaison.id
    assert ticket.routing["why"] == {"department": "transfer", "cadre": "least_loaded"}
    event = _last_event(ticket)
    assert (event.data["department_id"], event.data["assignee_id"]) == (w.hrss.id, w.hrss_cadre.id)
    assert event.data["routing"] == ticket.routing


def test_transfer_to_a_department_without_cadres_leaves_it_submitted(w):
    ticket = w.ticket("assigned")
    perform_action(w.supervisor, ticket, "transfer", department_id=w.st.id, note="转科技局", now=LATER)
    assert (ticket.status, ticket.department_id, ticket.assignee_id) == ("submitted", w.st.id, None)
    assert ticket.routing["why"]["cadre"] == "no_cadre"


@pytest.mark.parametrize("target", ["same", "missing"])
def test_transfer_refuses_the_same_or_an_unknown_department(w, target):
    ticket = w.ticket("assigned")
    snapshot = _snapshot(ticket)
    with pytest.raises(ValidationFailed) as err:
        perform_action(
            w.supervisor,
            ticket,
            "transfer",
            department_id=w.nr.id if target == "same" else 987654,
            note="转办",
            now=LATER,
        )
    assert err.value.field == "department_id"
    assert _snapshot(ticket) == snapshot


def test_cohandling_department_sees_the_ticket_and_adds_notes_but_cannot_resolve(w):
    ticket = w.ticket("in_progress")
    visible = lambda user: ticket.id in f.db.session.scalars(visible_tickets(user).with_only_columns(Ticket.id)).all()  # noqa: E731
    assert not visible(w.finance_cadre)

    perform_action(w.liaison, ticket, "add_cohandler", department_id=w.finance.id, now=LATER)
    assert ticket.status == "in_progress"
    assert [c.department_id for c in ticket.cohandlers] == [w.finance.id]
    assert visible(w.finance_cadre)
    assert not visible(f.fast_cadre("411602", "ndrc"))

    note = add_comment(w.finance_cadre, ticket, "财政局可安排专项资金", internal=True, now=LATER)
    assert (note.internal, note.author_id) == (True, w.finance_cadre.id)

    with pytest.raises(NotAllowed):
        perform_action(w.finance_cadre, ticket, "resolve", note="已解决", now=LATER)
    assert ticket.status == "in_progress"


def test_cohandler_cannot_be_added_twice_or_be_the_lead_department(w):
    ticket = w.ticket("assigned")
    perform_action(w.supervisor, ticket, "add_cohandler", department_id=w.finance.id, now=LATER)
    for department_id in (w.finance.id, w.nr.id):
        with pytest.raises(ValidationFailed) as err:
            perform_action(w.supervisor, ticket, "add_cohandler", department_id=department_id, now=LATER)
        assert err.value.field == "department_id"


def test_withdraw_and_decline_leave_the_open_count(w):
    one, two = w.ticket("awaiting_enterprise"), w.ticket("assigned")
    f.db.session.refresh(w.liaison)
    assert w.liaison.open_tickets == 2
    perform_action(w.owner, one, "withdraw", note="已自行解决", now=LATER)
    perform_action(w.supervisor, two, "decline", note="不属于助企范围", now=LATER)
    f.db.session.refresh(w.liaison)
    assert (one.status, two.status, w.liaison.open_tickets) == ("withdrawn", "declined", 0)
    assert one.paused_at is None


def test_public_comment_of_the_assignee_is_the_first_response(w):
    ticket = w.ticket("assigned")
    add_comment(w.colleague, ticket, "我们看一下", now=LATER)
    assert ticket.first_response_at is None
    add_comment(w.liaison, ticket, "内部备注", internal=True, now=LATER)
    assert ticket.first_response_at is None
    add_comment(w.liaison, ticket, "已收到，正在协调", now=LATER)
    assert ticket.first_response_at == LATER


def test_enterprise_users_cannot_write_internal_notes(w):
    ticket = w.ticket("assigned")
    with pytest.raises(NotAllowed):
        add_comment(w.owner, ticket, "内部？", internal=True, now=LATER)


def test_events_cannot_be_deleted_through_the_orm(w):
    from helpdesk.tickets.models import ImmutableEventError

    ticket = w.ticket("assigned")
    f.db.session.delete(ticket.events[0])
    with pytest.raises(ImmutableEventError):
        f.db.session.flush()
    f.db.session.rollback()


def test_sequence_rows_are_created_per_prefix_and_year(w):
    f.file(w.owner, now=NOW)
    rows = f.db.session.execute(select(TicketSequence.prefix, TicketSequence.year, TicketSequence.last_value)).all()
    assert [tuple(r) for r in rows] == [("ZK", 2025, 1)]


# -- the buttons the pages show ---------------------------------------------------------------

PEOPLE = ["owner", "stranger", "liaison", "colleague", "supervisor", "city_supervisor", "other_supervisor", "admin"]


@pytest.mark.parametrize("status", list(Status))
def test_allowed_actions_are_exactly_those_the_workflow_accepts(w, status):
    from helpdesk.errors import DomainError
    from helpdesk.tickets.services import allowed_actions
    from helpdesk.tickets.workflow import USER_ACTIONS

    ticket = w.ticket(status)
    session = f.db.session
    for who in PEOPLE:
        person = getattr(w, who)
        accepted = set()
        for action in USER_ACTIONS:
            savepoint = session.begin_nested()
            try:
                perform_action(person, ticket, action, now=LATER, **_params(w, action))
                accepted.add(action)
            except (NotAllowed, InvalidTransition):
                pass
            except DomainError as exc:  # past the guard, refused on its input
                assert isinstance(exc, ValidationFailed), (who, action, exc)
                accepted.add(action)
            finally:
                savepoint.rollback()
        assert set(allowed_actions(person, ticket)) == accepted, who
