"""The selects over tickets that pages and the API share: who may see which ticket, the list filters."""

from __future__ import annotations

from functools import cache

from sqlalchemy import ColumnElement, Select, bindparam, false, literal, or_, select, true

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
    if user.role == Role.ENTERPRISE:
        return Ticket.enterprise_id == user.enterprise_id if user.enterprise_id else false()
    if user.role == Role.CADRE:
        cohandled, led = _cadre_extras(user.department_id)
        return or_(
            Ticket.assignee_id == user.id,
            Ticket.liaison_id == user.id,
            Ticket.department_id == user.department_id,
            Ticket.id.in_(cohandled),
            Ticket.common_issue_id.in_(led),
        )
    scope = supervised_scope(user)
    # every ticket has a jurisdiction: the province's supervisors need no IN list of all of them (a similar-
    # ticket lookup joined 100,000 tickets to check it, 120 ms on PostgreSQL)
    return true() if scope.whole_tree else scope.clause(Ticket.jurisdiction_id)


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


def filter_tickets(
    query: Select,
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
) -> Select:
    """The ticket-list filters the pages and the API share; None leaves a filter out.

    `q` matches the title or the number as plain text (% and _ are not wildcards); `jurisdiction_id`
    takes the whole subtree by the enterprise's county; dates are Asia/Shanghai days, `created_to` exclusive.
    """
    from helpdesk.calendar.workdays import start_of_day
    from helpdesk.jurisdictions.models import Category

    if statuses:
        query = query.where(Ticket.status.in_(list(statuses)))
    if category:
        query = query.where(Ticket.category_id.in_(select(Category.id).where(Category.code == category)))
    if warning:
        query = query.where(Ticket.warning_filter(warning, now))
    if enterprise_id is not None:
        query = query.where(Ticket.enterprise_id == enterprise_id)
    if department_id is not None:
        query = query.where(Ticket.department_id == department_id)
    if assignee_id is not None:
        query = query.where(Ticket.assignee_id == assignee_id)
    if jurisdiction_id is not None:
        query = query.where(Ticket.jurisdiction_id.in_(sorted(subtree_ids(jurisdiction_id))))
    text = (q or "").strip()
    if text:
        query = query.where(
            Ticket.title.icontains(text, autoescape=True) | Ticket.number.icontains(text, autoescape=True)
        )
    if created_from is not None:
        query = query.where(Ticket.created_at >= start_of_day(created_from))
    if created_to is not None:
        query = query.where(Ticket.created_at < start_of_day(created_to))
    return query
