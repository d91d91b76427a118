"""Shapes of the tickets API: a ticket, its history, comments, and what filing and actions take."""

from __future__ import annotations

from datetime import date

import marshmallow as ma
from marshmallow import fields, validate

from helpdesk.api.common import MAX_ID, FilterList, Flag, Id, PageArgs, Ref, length, page_of
from helpdesk.api.dumping import Schema
from helpdesk.db import utcnow
from helpdesk.enterprises.schemas import JurisdictionRef
from helpdesk.jurisdictions.models import Level
from helpdesk.tickets.changes import DESCRIPTION_LENGTH, EXTEND_DAYS, NOTE_LENGTH, TITLE_LENGTH
from helpdesk.tickets.models import Colour, Priority, Rating, Status
from helpdesk.tickets.routing import CADRE_WHYS, DEPARTMENT_WHYS, TRIGGERS, routing_reason
from helpdesk.tickets.workflow import NOTE_ACTIONS, USER_ACTIONS

STATUSES = [s.value for s in Status]
COLOURS = [c.value for c in Colour]
RATINGS = [r.value for r in Rating]
PRIORITIES = [p.value for p in Priority]
SORTS = ["-created_at", "created_at", "due_at", "-due_at"]
# Filing-date filters become instants in Asia/Shanghai: keep them inside what datetime can hold.
DATE_RANGE = validate.Range(min=date(1900, 1, 1), max=date(9999, 12, 30))


class CategoryRef(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class EnterpriseRef(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    credit_code = fields.String(required=True)


class CommonIssueRef(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)


class RoutingWhySchema(Schema):
    department = fields.String(required=True, validate=validate.OneOf(DEPARTMENT_WHYS))
    cadre = fields.String(required=True, validate=validate.OneOf(CADRE_WHYS))


class RoutingSchema(Schema):
    """The routing decision (PRODUCT.md §4) as data: what `routing_reason` says in words."""

    trigger = fields.String(
        required=True,
        validate=validate.OneOf(TRIGGERS),
        metadata={"description": "What routed the ticket: filing, a transfer, an escalation or an assignment."},
    )
    by_id = fields.Integer(
        allow_none=True, metadata={"description": "Who transferred, escalated or assigned it (null when filed)."}
    )
    category = fields.String(required=True, metadata={"description": "The category code."})
    jurisdiction_id = fields.Integer(required=True, metadata={"description": "The level it was routed at."})
    from_jurisdiction_id = fields.Integer(allow_none=True, metadata={"description": "Escalations: the level below."})
    department_id = fields.Integer(required=True)
    rule_id = fields.Integer(allow_none=True, metadata={"description": "The routing rule applied (null without one)."})
    rule_jurisdiction_id = fields.Integer(
        allow_none=True,
        metadata={"description": "When the rule came from an ancestor (parent_rule): its jurisdiction."},
    )
    cadre_id = fields.Integer(allow_none=True, metadata={"description": "null: no available cadre (queued)."})
    open_tickets = fields.Integer(
        allow_none=True, metadata={"description": "least_loaded: the chosen cadre's open tickets then."}
    )
    why = fields.Nested(
        RoutingWhySchema,
        required=True,
        metadata={
            "description": "department: rule, parent_rule (an ancestor's rule), default_department, transfer or "
            "assigned_by_supervisor; cadre: liaison (the enterprise's paired cadre), least_loaded, no_cadre or "
            "assigned_by_supervisor."
        },
    )


def _caller_locale() -> str:
    """The API caller's language (its user's `locale`); the page's language outside the API."""
    from flask import g

    from helpdesk.pages import ui_locale

    user = g.get("api_user")
    return user.locale if user is not None else ui_locale()


class TicketSchema(Schema):
    """A ticket exactly as §7 lists it; times are ISO 8601 with an offset (UTC)."""

    id = fields.Integer(required=True)
    number = fields.String(required=True, metadata={"example": "ZK-2024-000123"})
    title = fields.String(required=True)
    description = fields.String(required=True)
    category = fields.Nested(CategoryRef, required=True)
    priority = fields.String(required=True, validate=validate.OneOf(PRIORITIES))
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    warning = fields.Method(
        "get_warning",
        allow_none=True,
        metadata={
            "type": "string",
            "enum": [*COLOURS, None],
            "description": "Three-colour warning now; null when the clock is stopped or the ticket is done.",
        },
    )
    enterprise = fields.Nested(EnterpriseRef, required=True)
    jurisdiction = fields.Nested(JurisdictionRef, required=True, metadata={"description": "The enterprise's county."})
    handling_jurisdiction = fields.Nested(JurisdictionRef, required=True)
    handling_level = fields.String(required=True, validate=validate.OneOf([level.value for level in Level]))
    department = fields.Nested(Ref, required=True, allow_none=True)
    assignee = fields.Nested(Ref, required=True, allow_none=True)
    liaison = fields.Nested(Ref, required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    response_due_at = fields.DateTime(required=True)
    due_at = fields.DateTime(required=True)
    first_response_at = fields.DateTime(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    rating = fields.String(allow_none=True, validate=validate.OneOf(RATINGS))
    reopen_count = fields.Integer(required=True)
    urge_count = fields.Integer(required=True)
    version = fields.Integer(
        required=True, metadata={"description": "Send it back with an action to detect conflicts."}
    )
    routing_reason = fields.Method(
        "get_routing_reason",
        metadata={
            "type": "string",
            "description": "The routing decision in words, in the caller's language (its user's locale). Tickets "
            "routed before decisions were stored (routing null) keep the English sentence recorded then.",
        },
    )
    routing = fields.Nested(RoutingSchema, allow_none=True, metadata={"description": "The decision's parts."})
    common_issue = fields.Nested(
        CommonIssueRef,
        allow_none=True,
        metadata={"description": "The common issue (共性问题) it is handled in, or null."},
    )

    def get_routing_reason(self, ticket) -> str:
        return routing_reason(ticket.routing, ticket.routing_reason, _caller_locale(), ticket.category)

    def get_warning(self, ticket) -> str | None:
        colour = ticket.warning_at(utcnow())
        return colour.value if colour is not None else None


TicketPageSchema = page_of(TicketSchema, "TicketPage")


class AssigneeFilter(fields.Field):
    """An assignee id, or `me`."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value == "me":
            return "me"
        if isinstance(value, str) and value.isascii() and value.isdigit() and 1 <= int(value) <= MAX_ID:
            return int(value)
        raise ma.ValidationError("An assignee id or 'me'.")


class TicketQuerySchema(PageArgs):
    status = FilterList(fields.String(validate=validate.OneOf(STATUSES)), description="Statuses (any of them).")
    category = fields.String(validate=validate.Length(max=30), metadata={"description": "A category code."})
    warning = fields.String(validate=validate.OneOf(COLOURS))
    enterprise_id = Id()
    department_id = Id()
    assignee_id = AssigneeFilter(
        metadata={"type": "string", "pattern": "^(me|[1-9][0-9]{0,9})$", "description": "A user id, or `me`."}
    )
    jurisdiction_id = Id(metadata={"description": "Tickets of enterprises in this jurisdiction's subtree."})
    q = fields.String(validate=validate.Length(max=200), metadata={"description": "Part of the title or number."})
    created_from = fields.Date(
        validate=DATE_RANGE, metadata={"description": "Filed on or after this day (Asia/Shanghai)."}
    )
    created_to = fields.Date(validate=DATE_RANGE, metadata={"description": "Filed before this day (exclusive)."})
    sort = fields.String(load_default="-created_at", validate=validate.OneOf(SORTS))


class TicketCreateSchema(Schema):
    category = fields.String(
        required=True, validate=validate.Length(max=30), metadata={"description": "A category code."}
    )
    title = fields.String(required=True, validate=length(*TITLE_LENGTH))
    description = fields.String(required=True, validate=length(*DESCRIPTION_LENGTH))
    priority = fields.String(load_default=Priority.NORMAL.value, validate=validate.OneOf(PRIORITIES))
    enterprise_id = Id(
        allow_none=True,
        metadata={"description": "Required when government users file on behalf of an enterprise they can see."},
    )


class ActionSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(USER_ACTIONS))
    note = fields.String(
        allow_none=True,
        validate=validate.Length(max=NOTE_LENGTH),
        metadata={
            "description": "The reason, question, answer or resolution: required and not empty for "
            f"{', '.join(NOTE_ACTIONS)} (422 naming the action otherwise); optional for the other actions."
        },
    )
    version = fields.Integer(allow_none=True, metadata={"description": "The version you loaded: 409 when stale."})
    department_id = Id(allow_none=True, metadata={"description": "transfer, add_cohandler."})
    assignee_id = Id(allow_none=True, metadata={"description": "assign."})
    rating = fields.String(allow_none=True, validate=validate.OneOf(RATINGS), metadata={"description": "confirm."})
    days = fields.Integer(
        allow_none=True, validate=validate.Range(*EXTEND_DAYS), metadata={"description": "extend: working days."}
    )


class EventSchema(Schema):
    id = fields.Integer(required=True)
    action = fields.String(required=True)
    actor = fields.Nested(
        Ref, required=True, allow_none=True, metadata={"description": "null for the system (the sweep)."}
    )
    from_status = fields.String(allow_none=True)
    to_status = fields.String(required=True)
    note = fields.String(allow_none=True)
    internal = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)


class CommentSchema(Schema):
    id = fields.Integer(required=True)
    author = fields.Nested(Ref, required=True, allow_none=True)
    body = fields.String(required=True)
    internal = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)


class CommentCreateSchema(Schema):
    body = fields.String(required=True, validate=length(1, NOTE_LENGTH))
    internal = Flag(load_default=False, metadata={"description": "Government users only."})
