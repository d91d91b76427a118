"""API: similar tickets (issue 14). Visibility as for tickets: only tickets the caller may see are compared,
and a ticket the caller may not see answers 404."""

from __future__ import annotations

from helpdesk.api.auth import current_user
from helpdesk.api.common import ApiBlueprint
from helpdesk.common_issues.queries import similar_tickets, similar_to_ticket
from helpdesk.common_issues.schemas import SimilarArgs, SimilarListSchema, SimilarQuerySchema
from helpdesk.tickets.queries import load_visible_ticket

blp = ApiBlueprint(
    "api_common_issues",
    __name__,
    url_prefix="/api/v1",
    description="Common issues (共性问题): similar tickets, candidate groups and the common issues that solve them once.",
)


@blp.route("/tickets/similar", methods=["POST"])
@blp.arguments(SimilarQuerySchema)
@blp.response(200, SimilarListSchema)
def similar(values):
    """Tickets you can see most like a text (an issue before it is filed), most similar first."""
    limit = values.pop("limit")
    return {"items": similar_tickets(current_user(), **values, limit=limit)}


@blp.route("/tickets/<id:ticket_id>/similar", methods=["GET"])
@blp.arguments(SimilarArgs, location="query")
@blp.response(200, SimilarListSchema)
def similar_to(args, ticket_id):
    """Tickets you can see most like this one (itself excluded), most similar first."""
    user = current_user()
    return {"items": similar_to_ticket(user, load_visible_ticket(user, ticket_id), limit=args["limit"])}
