"""The selects that pages and the API share: who may see which ticket and enterprise (PRODUCT.md §7)."""

from __future__ import annotations

from sqlalchemy import Select, false, or_, select, true

from helpdesk.auth.models import Role, User
from helpdesk.enterprises.models import Enterprise
from helpdesk.jurisdictions.queries import subtree_ids
from helpdesk.tickets.models import Ticket, TicketCohandler


def ticket_visibility(user: User):
    """A WHERE clause: the tickets this user may see."""
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.ENTERPRISE:
        return Ticket.enterprise_id == user.enterprise_id
    if user.role == Role.SUPERVISOR:
        return Ticket.jurisdiction_id.in_(subtree_ids(user.jurisdiction_id))
    if user.role == Role.CADRE:
        cohandled = select(TicketCohandler.ticket_id).where(TicketCohandler.department_id == user.department_id)
        return or_(
            Ticket.assignee_id == user.id,
            Ticket.liaison_id == user.id,
            Ticket.department_id == user.department_id,
            Ticket.id.in_(cohandled),
        )
    return false()


def visible_tickets(user: User) -> Select:
    """SELECT tickets the user may see; add filters and ordering on top."""
    return select(Ticket).where(ticket_visibility(user))


def enterprise_visibility(user: User):
    """A WHERE clause: the enterprises this user may see (and file on behalf of)."""
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.ENTERPRISE:
        return Enterprise.id == user.enterprise_id
    if user.role == Role.SUPERVISOR:
        return Enterprise.jurisdiction_id.in_(subtree_ids(user.jurisdiction_id))
    if user.role == Role.CADRE:
        department_jurisdiction = user.department.jurisdiction_id
        return or_(
            Enterprise.jurisdiction_id.in_(subtree_ids(department_jurisdiction)), Enterprise.liaison_id == user.id
        )
    return false()


def visible_enterprises(user: User) -> Select:
    return select(Enterprise).where(enterprise_visibility(user))


def with_ticket_details(query: Select) -> Select:
    """Load what a ticket's JSON or page shows in a few queries for the whole page, not a few per ticket."""
    from sqlalchemy.orm import selectinload

    return query.options(
        selectinload(Ticket.category),
        selectinload(Ticket.enterprise),
        selectinload(Ticket.jurisdiction),
        selectinload(Ticket.handling_jurisdiction),
        selectinload(Ticket.department),
        selectinload(Ticket.assignee),
        selectinload(Ticket.liaison),
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
        query = query.where(Ticket.jurisdiction_id.in_(subtree_ids(jurisdiction_id)))
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
