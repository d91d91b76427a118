"""API: tickets the caller can see, filing, actions, history and comments (PRODUCT.md §7).

Every endpoint that names a ticket loads it through the visibility query: a ticket the caller may
not see answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from functools import lru_cache

from flask import url_for
from sqlalchemy import select

from helpdesk.api.auth import current_user
from helpdesk.api.common import ApiBlueprint, PageStatements, commit_keeping_loaded
from helpdesk.api.openapi import errors
from helpdesk.db import utcnow
from helpdesk.errors import ValidationFailed
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Category
from helpdesk.tickets.counts import counted_total
from helpdesk.tickets.models import Comment, Ticket, TicketEvent
from helpdesk.tickets.queries import (
    apply_filters,
    list_visibility,
    load_visible_ticket,
    read_visible_ticket,
    ticket_filter_values,
    unbound,
    visibility_clause,
    visible_items,
)
from helpdesk.tickets.reads import TicketReader
from helpdesk.tickets.schemas import (
    ActionSchema,
    CommentCreateSchema,
    CommentSchema,
    EventSchema,
    TicketCreateSchema,
    TicketPageSchema,
    TicketQuerySchema,
    TicketSchema,
)
from helpdesk.tickets.services import add_comment, file_ticket, perform_action

blp = ApiBlueprint(
    "api_tickets", __name__, url_prefix="/api/v1", description="Feedback issues (诉求) and their workflow."
)

SORTS = {
    "-created_at": (Ticket.created_at.desc(), Ticket.id.desc()),
    "created_at": (Ticket.created_at.asc(), Ticket.id.asc()),
    "due_at": (Ticket.due_at.asc(), Ticket.id.asc()),
    "-due_at": (Ticket.due_at.desc(), Ticket.id.desc()),
}


@blp.route("/tickets", methods=["GET"])
@blp.arguments(TicketQuerySchema, location="query")
@blp.response(200, TicketPageSchema)
def list_tickets(args):
    """Tickets the caller can see, filtered and sorted (newest first by default)."""
    user = current_user()
    category = args.get("category")
    if category and db.session.scalar(select(Category.id).where(Category.code == category)) is None:
        raise ValidationFailed("No such category.", field="category")  # like the reports: not an empty list
    assignee = args.get("assignee_id")
    shape, visibility = list_visibility(user)
    filters = ticket_filter_values(
        now=utcnow(),
        statuses=args.get("status"),
        category=category,
        warning=args.get("warning"),
        enterprise_id=args.get("enterprise_id"),
        department_id=args.get("department_id"),
        assignee_id=user.id if assignee == "me" else assignee,
        jurisdiction_id=args.get("jurisdiction_id"),
        q=args.get("q"),
        created_from=args.get("created_from"),
        created_to=args.get("created_to"),
    )
    statements = _list_statements(shape, tuple(filters), args["sort"])
    return statements.page(args["page"], args["per_page"], {**visibility, **filters})


@lru_cache(maxsize=256)
def _list_statements(shape: str, filters: tuple[str, ...], sort: str) -> PageStatements:
    """The list's statements for one visibility shape, set of filters and order, built once; each request hands its
    values to them (api/common.py PageStatements)."""
    query = apply_filters(select(Ticket).where(visibility_clause(shape, unbound)), filters, unbound)
    return PageStatements(query.order_by(*SORTS[sort]), TicketReader(), counted_total(shape, filters, unbound))


@blp.route("/tickets", methods=["POST"])
@errors(409, descriptions={409: "No ticket number could be allocated at this moment: try again."})
@blp.arguments(TicketCreateSchema)
@blp.response(201, TicketSchema)
def create_ticket(values):
    """File an issue; it is routed at once (§4). Government users name the `enterprise_id` they file for."""
    ticket = file_ticket(current_user(), **values)
    commit_keeping_loaded()  # no reload after the commit: the ticket and its relations are in hand
    return ticket, 201, {"Location": url_for("api_tickets.get_ticket", ticket_id=ticket.id)}


@blp.route("/tickets/<id:ticket_id>", methods=["GET"])
@blp.response(200, TicketSchema)
def get_ticket(ticket_id):
    """One ticket."""
    return read_visible_ticket(current_user(), ticket_id)


@blp.route("/tickets/<id:ticket_id>/actions", methods=["POST"])
@errors(
    403,
    409,
    descriptions={
        403: "Your role, or your relation to the ticket, does not allow this action.",
        409: "The ticket's status does not allow the action, or `version` is stale (reload the ticket).",
    },
)
@blp.arguments(ActionSchema)
@blp.response(200, TicketSchema)
def act_on_ticket(values, ticket_id):
    """Run one workflow action (§3): 403 when your role may not, 409 when the status or `version` does not allow it."""
    ticket = load_visible_ticket(current_user(), ticket_id, details=True)
    action = values.pop("action")
    perform_action(current_user(), ticket, action, **values)
    db.session.commit()
    return ticket


@blp.route("/tickets/<id:ticket_id>/events", methods=["GET"])
@blp.response(200, EventSchema(many=True))
def list_events(ticket_id):
    """The ticket's history, oldest first (government-internal steps hidden from enterprise users)."""
    return visible_items(current_user(), TicketEvent, ticket_id)


@blp.route("/tickets/<id:ticket_id>/comments", methods=["GET"])
@blp.response(200, CommentSchema(many=True))
def list_comments(ticket_id):
    """Comments, oldest first (internal notes hidden from enterprise users)."""
    return visible_items(current_user(), Comment, ticket_id)


@blp.route("/tickets/<id:ticket_id>/comments", methods=["POST"])
@errors(403, descriptions={403: "Enterprise users cannot write internal notes."})
@blp.arguments(CommentCreateSchema)
@blp.response(201, CommentSchema)
def create_comment(values, ticket_id):
    """Comment on a ticket; `internal` notes are for government users only."""
    user = current_user()
    ticket = load_visible_ticket(user, ticket_id, details=True)
    comment = add_comment(user, ticket, values["body"], internal=values["internal"])
    db.session.commit()
    return comment, 201
