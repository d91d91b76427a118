"""Shapes of the common-issues API: the similar lookup's query and answer."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from helpdesk.tickets.changes import DESCRIPTION_LENGTH, TITLE_LENGTH
from helpdesk.tickets.schemas import TicketSchema

SIMILAR_MAX = 20


def _limit() -> fields.Integer:
    return fields.Integer(
        load_default=5, validate=validate.Range(min=1, max=SIMILAR_MAX), metadata={"description": "1 to 20."}
    )


class SimilarQuerySchema(ma.Schema):
    """A text to compare with the tickets you can see, e.g. an issue before it is filed."""

    title = fields.String(required=True, validate=validate.Length(min=1, max=TITLE_LENGTH[1]))
    description = fields.String(load_default="", validate=validate.Length(max=DESCRIPTION_LENGTH[1]))
    category = fields.String(
        allow_none=True,
        validate=validate.Length(max=30),
        metadata={"description": "A category code: the same category weighs more (another one counts 0.8)."},
    )
    limit = _limit()


class SimilarArgs(ma.Schema):
    limit = _limit()


class SimilarItemSchema(ma.Schema):
    ticket = fields.Nested(TicketSchema, required=True)
    score = fields.Float(
        required=True,
        validate=validate.Range(min=0, max=1),
        metadata={
            "description": "Cosine of the texts' character n-gram TF-IDF vectors × 0.8 when the categories differ; "
            "≥ 0.3 very likely the same problem, 0.15–0.3 related, < 0.1 unrelated (docs/SIMILARITY.md)."
        },
    )


class SimilarListSchema(ma.Schema):
    items = fields.List(fields.Nested(SimilarItemSchema), required=True)
