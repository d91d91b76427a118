"""API: the callback queue and a ticket's callbacks (回访, issue 15)."""

from __future__ import annotations

from helpdesk.api.auth import current_user, roles_allowed
from helpdesk.api.common import ApiBlueprint
from helpdesk.api.openapi import errors
from helpdesk.auth.models import Role
from helpdesk.callbacks.queries import GOVERNMENT_ONLY, callback_queue, callbacks_of
from helpdesk.callbacks.schemas import CallbackCreateSchema, CallbackSchema, QueueArgs, QueuePageSchema
from helpdesk.callbacks.services import CALLERS, CALLERS_ONLY, record_callback
from helpdesk.db import utcnow
from helpdesk.extensions import db
from helpdesk.tickets.queries import load_visible_ticket

blp = ApiBlueprint(
    "api_callbacks", __name__, url_prefix="/api/v1", description="Callback verification (回访) of completed tickets."
)
GOVERNMENT = (Role.CADRE, Role.SUPERVISOR, Role.ADMIN)


@blp.route("/callbacks/queue", methods=["GET"])
@roles_allowed(*CALLERS, message=CALLERS_ONLY)
@blp.arguments(QueueArgs, location="query")
@blp.response(200, QueuePageSchema)
def queue(args):
    """Tickets of your subtree to call back: completed in the last CALLBACK_DAYS and not yet reached;
    auto-closed ones (and unsolved ones completed again) first, then a stable sample of the others."""
    page = callback_queue(current_user(), utcnow(), args["page"], args["per_page"])
    return {"items": page.items, "page": page.page, "per_page": page.per_page, "total": page.total}


@blp.route("/tickets/<id:ticket_id>/callbacks", methods=["GET"])
@roles_allowed(*GOVERNMENT, message=GOVERNMENT_ONLY)
@blp.response(200, CallbackSchema(many=True))
def list_callbacks(ticket_id):
    """The ticket's callbacks, oldest first."""
    return callbacks_of(current_user(), ticket_id)


@blp.route("/tickets/<id:ticket_id>/callbacks", methods=["POST"])
@roles_allowed(*CALLERS, message=CALLERS_ONLY)
@errors(409, descriptions={409: "The ticket is not completed (resolved or closed), or it changed at the same time."})
@blp.arguments(CallbackCreateSchema)
@blp.response(201, CallbackSchema)
def create_callback(values, ticket_id):
    """Record a callback: `solved: false` reopens the ticket (the note is the reason); a rating becomes the
    ticket's own when it has none."""
    user = current_user()
    ticket = load_visible_ticket(user, ticket_id)
    callback = record_callback(user, ticket, **values)
    db.session.commit()
    return callback, 201
