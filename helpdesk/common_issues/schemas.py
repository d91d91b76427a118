"""Shapes of the common-issues API: the similar lookup, common issues, candidate groups."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from helpdesk.api.common import Id, PageArgs, Ref, length, page_of
from helpdesk.api.dumping import Schema
from helpdesk.common_issues.models import IssueStatus
from helpdesk.enterprises.schemas import JurisdictionRef
from helpdesk.tickets.changes import DESCRIPTION_LENGTH, NOTE_LENGTH, TITLE_LENGTH
from helpdesk.tickets.schemas import DATE_RANGE, CategoryRef, EnterpriseRef, TicketSchema

SIMILAR_MAX = 20


def _limit() -> fields.Integer:
    return fields.Integer(
        load_default=5, validate=validate.Range(min=1, max=SIMILAR_MAX), metadata={"description": "1 to 20."}
    )


class SimilarQuerySchema(Schema):
    """A text to compare with the tickets you can see, e.g. an issue before it is filed."""

    title = fields.String(required=True, validate=validate.Length(min=1, max=TITLE_LENGTH[1]))
    description = fields.String(load_default="", validate=validate.Length(max=DESCRIPTION_LENGTH[1]))
    category = fields.String(
        allow_none=True,
        validate=validate.Length(max=30),
        metadata={"description": "A category code: the same category weighs more (another one counts 0.8)."},
    )
    limit = _limit()


class SimilarArgs(Schema):
    limit = _limit()


class SimilarItemSchema(Schema):
    ticket = fields.Nested(TicketSchema, required=True)
    score = fields.Float(
        required=True,
        validate=validate.Range(min=0, max=1),
        metadata={
            "description": "Cosine of the texts' character n-gram TF-IDF vectors × 0.8 when the categories differ; "
            "≥ 0.3 very likely the same problem, 0.15–0.3 related, < 0.1 unrelated (docs/SIMILARITY.md)."
        },
    )


class SimilarListSchema(Schema):
    items = fields.List(fields.Nested(SimilarItemSchema), required=True)


# -- common issues ---------------------------------------------------------------------------------

STATUSES = [s.value for s in IssueStatus]


class TicketBrief(Schema):
    """A linked ticket, as a common issue lists it."""

    id = fields.Integer(required=True)
    number = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True)
    enterprise = fields.Nested(EnterpriseRef, required=True)


class CommonIssueSchema(Schema):
    """A common issue (共性问题): one problem of several enterprises, handled once by a lead department."""

    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    category = fields.Nested(CategoryRef, required=True, allow_none=True)
    jurisdiction = fields.Nested(JurisdictionRef, required=True, metadata={"description": "The owner."})
    lead_department = fields.Nested(Ref, required=True, metadata={"description": "牵头单位: it resolves the issue."})
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    resolution_note = fields.String(required=True, allow_none=True)
    created_by = fields.Nested(Ref, required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    resolved_at = fields.DateTime(required=True, allow_none=True)
    ticket_count = fields.Integer(required=True, metadata={"description": "Linked tickets (all of them)."})
    enterprise_count = fields.Integer(required=True, metadata={"description": "Distinct enterprises reached."})
    open_ticket_count = fields.Integer(required=True)


class CommonIssueDetailSchema(CommonIssueSchema):
    tickets = fields.List(
        fields.Nested(TicketBrief),
        required=True,
        metadata={"description": "The linked tickets you can see (an enterprise sees its own)."},
    )


CommonIssuePageSchema = page_of(CommonIssueSchema, "CommonIssuePage")


class CommonIssueQuerySchema(PageArgs):
    status = fields.String(validate=validate.OneOf(STATUSES))
    jurisdiction_id = Id(metadata={"description": "Common issues owned in this jurisdiction's subtree."})
    category = fields.String(validate=validate.Length(max=30), metadata={"description": "A category code."})


class CommonIssueCreateSchema(Schema):
    title = fields.String(required=True, validate=length(*TITLE_LENGTH))
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    category = fields.String(
        allow_none=True,
        validate=validate.Length(max=30),
        metadata={"description": "A category code; the tickets' commonest when left out."},
    )
    jurisdiction_id = Id(
        allow_none=True, metadata={"description": "The owner, in your subtree; a supervisor's own by default."}
    )
    lead_department_id = Id(required=True, metadata={"description": "牵头单位: the department that resolves it."})
    ticket_ids = fields.List(
        Id(),
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Open tickets you can see, in no other common issue (422 / 409 otherwise)."},
    )


class CommonIssueUpdateSchema(Schema):
    """What to change (at least one field)."""

    title = fields.String(validate=length(*TITLE_LENGTH))
    description = fields.String(validate=validate.Length(max=5000))
    category = fields.String(allow_none=True, validate=validate.Length(max=30))
    lead_department_id = Id()

    @ma.validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ma.ValidationError("Name at least one field to change.")


class TicketIdsSchema(Schema):
    ticket_ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=200))


class ResolveSchema(Schema):
    resolution_note = fields.String(
        required=True,
        validate=length(1, NOTE_LENGTH),
        metadata={"description": "The common resolution: every linked open ticket is resolved with it."},
    )


class CandidateArgs(Schema):
    jurisdiction_id = Id(metadata={"description": "Tickets of enterprises in this subtree (within yours)."})
    category = fields.String(validate=validate.Length(max=30), metadata={"description": "A category code."})
    created_from = fields.Date(
        data_key="from", validate=DATE_RANGE, metadata={"description": "Filed on or after this day (Asia/Shanghai)."}
    )
    created_to = fields.Date(
        data_key="to", validate=DATE_RANGE, metadata={"description": "Filed before this day (exclusive)."}
    )
    min_enterprises = fields.Integer(
        load_default=2, validate=validate.Range(min=1, max=1000), metadata={"description": "Distinct enterprises."}
    )


class CandidateSchema(Schema):
    ticket_ids = fields.List(fields.Integer(), required=True)
    enterprise_count = fields.Integer(required=True)
    label = fields.String(required=True, metadata={"description": "The group's most central title."})
    category = fields.String(required=True, allow_none=True, metadata={"description": "The commonest category code."})


class CandidateListSchema(Schema):
    items = fields.List(fields.Nested(CandidateSchema), required=True)
