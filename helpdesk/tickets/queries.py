"""The selects over tickets that pages and the API share: who may see which ticket, the list filters."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from sqlalchemy import BindParameter, ColumnElement, Select, String, bindparam, false, literal, or_, select, true

from helpdesk.auth.models import Role, User
from helpdesk.errors import NotFound
from helpdesk.extensions import db
from helpdesk.jurisdictions.queries import subtree_ids
from helpdesk.jurisdictions.scope import supervised_scope
from helpdesk.tickets.models import Ticket, TicketCohandler


def ticket_visibility(user: User) -> ColumnElement:
    """A WHERE clause: the tickets this user may see.

    Its company's for an enterprise user; for a cadre, the tickets it handles or follows (assigned to it,
    liaison of, its department's, co-handled by its department, in a common issue its department leads); for supervisors and admins, the tickets
    of enterprises in the jurisdictions they supervise (jurisdictions/scope.py). A statement that reads one
    ticket by id states the same rule with parameters (`_row_visibility`); tests/tickets/test_visibility.py holds
    the two to the same answers.
    """
    shape, values = list_visibility(user)
    return visibility_clause(shape, _bound(values))


def list_visibility(user: User) -> tuple[str, dict]:
    """`ticket_visibility` as its shape and the values of its parameters: the API's list builds its statement once per
    shape (`visibility_clause` with `unbound`) and hands the values to each execution."""
    if user.role == Role.ENTERPRISE:
        return ("enterprise", {"v_enterprise_id": user.enterprise_id}) if user.enterprise_id else ("nothing", {})
    if user.role == Role.CADRE:
        cohandled, led = _cadre_extras(user.department_id)
        values = {"v_user_id": user.id, "v_department_id": user.department_id}
        return "cadre", {**values, "v_cohandled": cohandled, "v_led": led}
    scope = supervised_scope(user)
    # every ticket has a jurisdiction: the province's supervisors need no IN list of all of them (a similar-
    # ticket lookup joined 100,000 tickets to check it, 120 ms on PostgreSQL)
    if scope.whole_tree or scope.roots is None:
        return "everything", {}
    ids = scope.ids
    return ("jurisdictions", {"v_jurisdictions": sorted(ids)}) if ids else ("nothing", {})


def visibility_clause(shape: str, param: Callable[..., BindParameter]) -> ColumnElement:
    """The WHERE clause of a shape of `list_visibility`, its values read through `param(name, **options)`."""
    if shape == "enterprise":
        return Ticket.enterprise_id == param("v_enterprise_id")
    if shape == "cadre":
        return or_(
            Ticket.assignee_id == param("v_user_id"),
            Ticket.liaison_id == param("v_user_id"),
            Ticket.department_id == param("v_department_id"),
            Ticket.id.in_(param("v_cohandled", expanding=True)),
            Ticket.common_issue_id.in_(param("v_led", expanding=True)),
        )
    if shape == "jurisdictions":
        return Ticket.jurisdiction_id.in_(param("v_jurisdictions", expanding=True))
    return true() if shape == "everything" else false()


def _bound(values: dict) -> Callable[..., BindParameter]:
    """Parameters that carry their values (unique: a statement may hold the same clause twice)."""
    return lambda name, **options: bindparam(name, values[name], unique=True, **options)


def unbound(name: str, **options) -> BindParameter:
    """Parameters whose values come with each execution, by name: a statement built once."""
    return bindparam(name, **options)


def _cadre_extras(department_id: int | None) -> tuple[list[int], list[int]]:
    """The tickets a department co-handles and the common issues it leads, as id lists (one small statement).
    As lists, every part of a cadre's visibility is an indexed column, which PostgreSQL ORs from its indexes; as
    subqueries it scanned every ticket (a similar-ticket lookup of a cadre: 66 ms → 15 ms at 100k)."""
    from helpdesk.common_issues.models import CommonIssue

    rows = db.session.execute(
        select(TicketCohandler.ticket_id, literal(0))
        .where(TicketCohandler.department_id == department_id)
        .union_all(select(CommonIssue.id, literal(1)).where(CommonIssue.lead_department_id == department_id))
    ).all()
    return [i for i, kind in rows if kind == 0], [i for i, kind in rows if kind == 1]


def visible_tickets(user: User) -> Select:
    """SELECT tickets the user may see; add filters and ordering on top."""
    return select(Ticket).where(ticket_visibility(user))


def of_ticket(user: User, model, ticket_id: int) -> Select:
    """A ticket's events, comments or attachments that `user` may see, oldest first: internal ones are for
    government users only."""
    query = select(model).where(model.ticket_id == ticket_id).order_by(model.id)
    if user.role == Role.ENTERPRISE:
        query = query.where(model.internal.is_(False))
    return query


def visible_items(user: User, model, ticket_id: int) -> list:
    """The events, comments or attachments of a ticket `user` may see (NotFound when the ticket is not)."""
    return list(db.session.scalars(of_ticket(user, model, load_visible_ticket(user, ticket_id).id)))


def load_visible_ticket(user: User, ticket_id: int, *, details: bool = False) -> Ticket:
    """The ticket if `user` may see it; NotFound otherwise (absent and invisible look the same)."""
    shape, params = _row_visibility(user)
    ticket = db.session.scalar(_ticket_by_id(shape, details), {"ticket_id": ticket_id, **params})
    if ticket is None:
        raise NotFound("No such ticket.")
    return ticket


def read_visible_ticket(user: User, ticket_id: int):
    """`load_visible_ticket` for showing it only: a `TicketRow` of tickets/reads.py, one statement, no ORM objects."""
    from helpdesk.tickets.reads import read_rows

    shape, params = _row_visibility(user)
    found = read_rows(_ticket_row_by_id(shape), {"ticket_id": ticket_id, **params})
    if not found:
        raise NotFound("No such ticket.")
    return found[0]


@cache
def _ticket_row_by_id(shape: str) -> Select:
    from helpdesk.tickets.reads import ticket_rows

    return ticket_rows(_ticket_by_id(shape, False))


def _row_visibility(user: User) -> tuple[str, dict]:
    """`ticket_visibility` for a statement that reads one ticket by id: which of its shapes applies to `user`, and
    the values of its parameters. (For one row the planner's estimates do not matter: a cadre's co-handled tickets
    and led issues, and a supervisor's subtree, are subqueries of that statement instead of statements of their own.)"""
    if user.role == Role.ENTERPRISE:
        return "enterprise", {"enterprise_id": user.enterprise_id}
    if user.role == Role.CADRE:
        return "cadre", {"user_id": user.id, "department_id": user.department_id}
    scope = supervised_scope(user)
    if scope.everything:
        return "everything", {}
    if scope.nothing:
        return "nothing", {}
    return "subtree", {"roots": sorted(scope.roots)}


@cache
def _ticket_by_id(shape: str, details: bool) -> Select:
    """The statement of `load_visible_ticket`, built once per shape: building it (and its cache key) on every request
    was a fifth of a GET of a ticket."""
    from helpdesk.common_issues.models import CommonIssue
    from helpdesk.jurisdictions.scope import subtree_select

    if shape == "enterprise":
        visible = Ticket.enterprise_id == bindparam("enterprise_id")
    elif shape == "cadre":
        department = bindparam("department_id")
        visible = or_(
            Ticket.assignee_id == bindparam("user_id"),
            Ticket.liaison_id == bindparam("user_id"),
            Ticket.department_id == department,
            Ticket.id.in_(select(TicketCohandler.ticket_id).where(TicketCohandler.department_id == department)),
            Ticket.common_issue_id.in_(select(CommonIssue.id).where(CommonIssue.lead_department_id == department)),
        )
    elif shape == "subtree":
        visible = Ticket.jurisdiction_id.in_(subtree_select(bindparam("roots", expanding=True)))
    else:
        visible = true() if shape == "everything" else false()
    query = select(Ticket).where(visible, Ticket.id == bindparam("ticket_id"))
    return with_ticket_details(query) if details else query


def with_ticket_details(query: Select) -> Select:
    """Load what a ticket's JSON or page shows with the tickets themselves: its many-to-one relations are
    joined into the same statement (one statement for a ticket or a page of them, not one per relation)."""
    return query.options(*_details())


@cache
def _details() -> tuple:
    """The joined loads, built once (building eight loader options cost a tenth of a ticket request)."""
    from sqlalchemy.orm import joinedload

    return tuple(
        joinedload(relation)
        for relation in (
            Ticket.category,
            Ticket.enterprise,
            Ticket.jurisdiction,
            Ticket.handling_jurisdiction,
            Ticket.department,
            Ticket.assignee,
            Ticket.liaison,
            Ticket.common_issue,
        )
    )


def filter_tickets(query: Select, *, now, **filters) -> Select:
    """The ticket-list filters the pages and the API share (`ticket_filter_values`); None leaves a filter out."""
    values = ticket_filter_values(now=now, **filters)
    return apply_filters(query, values, _bound(values))


def ticket_filter_values(
    *,
    now,
    statuses=None,
    category: str | None = None,
    warning: str | None = None,
    enterprise_id: int | None = None,
    department_id: int | None = None,
    assignee_id: int | None = None,
    jurisdiction_id: int | None = None,
    q: str | None = None,
    created_from=None,
    created_to=None,
) -> dict:
    """The filters given, as the values of the parameters `apply_filters` reads, by name (None leaves one out).

    `q` matches the title or the number as plain text (% and _ are not wildcards); `jurisdiction_id`
    takes the whole subtree by the enterprise's county; dates are Asia/Shanghai days, `created_to` exclusive.
    A warning colour is part of the name: each colour is a clause of its own, reading the time `now`.
    """
    from helpdesk.calendar.workdays import start_of_day

    given = {
        "f_statuses": list(statuses) if statuses else None,
        "f_category": category or None,
        f"f_warning_{warning}": now if warning else None,
        "f_enterprise_id": enterprise_id,
        "f_department_id": department_id,
        "f_assignee_id": assignee_id,
        "f_jurisdictions": sorted(subtree_ids(jurisdiction_id)) if jurisdiction_id is not None else None,
        "f_q": _like_text((q or "").strip()) or None,
        "f_created_from": start_of_day(created_from) if created_from is not None else None,
        "f_created_to": start_of_day(created_to) if created_to is not None else None,
    }
    return {name: value for name, value in given.items() if value is not None}


def apply_filters(query: Select, names, param: Callable[..., BindParameter]) -> Select:
    """`query` with the clause of each filter named (the keys of `ticket_filter_values`)."""
    for name in names:
        query = query.where(_filter_clause(name, param))
    return query


def _filter_clause(name: str, param: Callable[..., BindParameter]) -> ColumnElement:
    from helpdesk.db import UTCDateTime
    from helpdesk.jurisdictions.models import Category

    if name.startswith("f_warning_"):
        return Ticket.warning_filter(name.removeprefix("f_warning_"), param(name, type_=UTCDateTime))
    if name in ("f_created_from", "f_created_to"):
        at = param(name, type_=UTCDateTime)
        return Ticket.created_at >= at if name == "f_created_from" else Ticket.created_at < at
    if name == "f_q":
        text = param(name, type_=String)
        return Ticket.title.icontains(text, escape=LIKE_ESCAPE) | Ticket.number.icontains(text, escape=LIKE_ESCAPE)
    clauses = {
        "f_statuses": lambda: Ticket.status.in_(param(name, expanding=True)),
        "f_category": lambda: Ticket.category_id.in_(select(Category.id).where(Category.code == param(name))),
        "f_enterprise_id": lambda: Ticket.enterprise_id == param(name),
        "f_department_id": lambda: Ticket.department_id == param(name),
        "f_assignee_id": lambda: Ticket.assignee_id == param(name),
        "f_jurisdictions": lambda: Ticket.jurisdiction_id.in_(param(name, expanding=True)),
    }
    return clauses[name]()


LIKE_ESCAPE = "/"


def _like_text(text: str) -> str:
    """`text` matched literally by LIKE … ESCAPE '/' (what SQLAlchemy's autoescape does to a literal)."""
    return text.replace(LIKE_ESCAPE, 2 * LIKE_ESCAPE).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")
