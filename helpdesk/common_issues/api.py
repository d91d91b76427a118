"""API: similar tickets (issue 14). Visibility as for tickets: only tickets the caller may see are compared,
and a ticket the caller may not see answers 404."""

from __future__ import annotations

from sqlalchemy.orm import joinedload

from helpdesk.api.auth import current_user, roles_allowed
from helpdesk.api.common import ApiBlueprint, paginate
from helpdesk.api.openapi import errors
from helpdesk.common_issues.models import CommonIssue
from helpdesk.common_issues.queries import (
    Reach,
    candidate_groups_for,
    filter_issues,
    issue_reach,
    issue_tickets,
    load_visible_issue,
    similar_tickets,
    similar_to_ticket,
    visible_issues,
)
from helpdesk.common_issues.schemas import (
    CandidateArgs,
    CandidateListSchema,
    CommonIssueCreateSchema,
    CommonIssueDetailSchema,
    CommonIssuePageSchema,
    CommonIssueQuerySchema,
    CommonIssueUpdateSchema,
    ResolveSchema,
    SimilarArgs,
    SimilarListSchema,
    SimilarQuerySchema,
    TicketIdsSchema,
)
from helpdesk.common_issues.services import (
    MANAGERS,
    MANAGERS_ONLY,
    add_tickets,
    create_common_issue,
    remove_ticket,
    resolve_common_issue,
    update_common_issue,
)
from helpdesk.extensions import db
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


# -- common issues ---------------------------------------------------------------------------------


class IssueView:
    """A common issue with its reach (and, for its own page, the linked tickets the caller may see)."""

    def __init__(self, issue: CommonIssue, reach: Reach, tickets: list | None = None):
        self.issue, self.tickets = issue, tickets
        self.ticket_count, self.enterprise_count, self.open_ticket_count = (
            reach.tickets,
            reach.enterprises,
            reach.open_tickets,
        )

    def __getattr__(self, name):
        return getattr(self.issue, name)


def _detail(user, issue: CommonIssue) -> IssueView:
    return IssueView(issue, issue_reach([issue.id]).get(issue.id, Reach()), issue_tickets(user, issue))


@blp.route("/common-issues", methods=["GET"])
@blp.arguments(CommonIssueQuerySchema, location="query")
@blp.response(200, CommonIssuePageSchema)
def list_common_issues(args):
    """Common issues you can see, newest first: those of the jurisdictions you supervise, those your department
    leads, those holding a ticket you can see."""
    query = filter_issues(
        visible_issues(current_user()),
        status=args.get("status"),
        jurisdiction_id=args.get("jurisdiction_id"),
        category=args.get("category"),
    ).options(
        joinedload(CommonIssue.category),
        joinedload(CommonIssue.jurisdiction),
        joinedload(CommonIssue.lead_department),
        joinedload(CommonIssue.created_by),
    )
    page = paginate(query, args["page"], args["per_page"])
    reach = issue_reach(issue.id for issue in page["items"])
    page["items"] = [IssueView(issue, reach.get(issue.id, Reach())) for issue in page["items"]]
    return page


@blp.route("/common-issues/candidates", methods=["GET"])
@roles_allowed(*MANAGERS, message=MANAGERS_ONLY)
@blp.arguments(CandidateArgs, location="query")
@blp.response(200, CandidateListSchema)
def candidates(args):
    """Groups of similar open tickets from different enterprises in your jurisdiction (not yet in a common
    issue), largest first: proposals for a supervisor to confirm as common issues."""
    return {"items": candidate_groups_for(current_user(), **args)}


@blp.route("/common-issues", methods=["POST"])
@roles_allowed(*MANAGERS, message=MANAGERS_ONLY)
@errors(409, descriptions={409: "A ticket is closed or already in another common issue."})
@blp.arguments(CommonIssueCreateSchema)
@blp.response(201, CommonIssueDetailSchema)
def create(values):
    """Create a common issue from tickets you can see (a candidate group, or tickets you picked)."""
    user = current_user()
    issue = create_common_issue(user, **values)
    db.session.commit()
    return _detail(user, issue), 201


@blp.route("/common-issues/<id:issue_id>", methods=["GET"])
@blp.response(200, CommonIssueDetailSchema)
def get_common_issue(issue_id):
    """One common issue with the linked tickets you can see."""
    user = current_user()
    return _detail(user, load_visible_issue(user, issue_id))


@blp.route("/common-issues/<id:issue_id>", methods=["PATCH"])
@errors(403, 409, descriptions={403: MANAGERS_ONLY, 409: "The common issue is resolved."})
@blp.arguments(CommonIssueUpdateSchema)
@blp.response(200, CommonIssueDetailSchema)
def update(values, issue_id):
    """Change the title, description, category or lead department of an open common issue."""
    user = current_user()
    issue = update_common_issue(user, load_visible_issue(user, issue_id), **values)
    db.session.commit()
    return _detail(user, issue)


@blp.route("/common-issues/<id:issue_id>/tickets", methods=["POST"])
@errors(403, 409, descriptions={403: MANAGERS_ONLY, 409: "Resolved, or a ticket is closed or in another one."})
@blp.arguments(TicketIdsSchema)
@blp.response(200, CommonIssueDetailSchema)
def add(values, issue_id):
    """Add tickets to an open common issue."""
    user = current_user()
    issue = add_tickets(user, load_visible_issue(user, issue_id), values["ticket_ids"])
    db.session.commit()
    return _detail(user, issue)


@blp.route("/common-issues/<id:issue_id>/tickets/<id:ticket_id>", methods=["DELETE"])
@errors(403, 409, descriptions={403: MANAGERS_ONLY, 409: "The common issue is resolved."})
@blp.response(200, CommonIssueDetailSchema)
def remove(issue_id, ticket_id):
    """Take a ticket out of an open common issue (404 when it is not in it)."""
    user = current_user()
    issue = remove_ticket(user, load_visible_issue(user, issue_id), ticket_id)
    db.session.commit()
    return _detail(user, issue)


@blp.route("/common-issues/<id:issue_id>/resolve", methods=["POST"])
@errors(
    403,
    409,
    descriptions={
        403: "Only a cadre of the lead department or a supervisor may resolve it.",
        409: "Already resolved, or a ticket changed at the same time.",
    },
)
@blp.arguments(ResolveSchema)
@blp.response(200, CommonIssueDetailSchema)
def resolve(values, issue_id):
    """Resolve the common issue: every linked open ticket is resolved with the common note (its own event and
    its enterprise's notification); each enterprise still confirms or reopens its own."""
    user = current_user()
    issue = load_visible_issue(user, issue_id)
    resolve_common_issue(user, issue, values["resolution_note"])
    db.session.commit()
    return _detail(user, issue)
