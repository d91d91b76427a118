"""Shapes of the callbacks API: a callback, what recording one takes, and the queue's page."""

from __future__ import annotations

from marshmallow import fields, validate

from helpdesk.api.common import Flag, PageArgs, PageSchema, Ref
from helpdesk.api.dumping import Schema
from helpdesk.callbacks.queries import Reason
from helpdesk.tickets.changes import NOTE_LENGTH
from helpdesk.tickets.models import Rating
from helpdesk.tickets.schemas import TicketSchema

RATINGS = [r.value for r in Rating]


class CallbackSchema(Schema):
    """One call to the enterprise (回访)."""

    id = fields.Integer(required=True)
    ticket_id = fields.Integer(required=True)
    caller = fields.Nested(Ref, required=True, allow_none=True)
    at = fields.DateTime(required=True, attribute="created_at")
    reached = fields.Boolean(required=True, metadata={"description": "Was the enterprise reached?"})
    solved = fields.Boolean(
        required=True, allow_none=True, metadata={"description": "Really solved (真解决); null when not reached."}
    )
    rating = fields.String(required=True, allow_none=True, validate=validate.OneOf(RATINGS))
    note = fields.String(required=True, allow_none=True)


class CallbackCreateSchema(Schema):
    reached = Flag(required=True, metadata={"description": "Was the enterprise reached?"})
    solved = Flag(
        allow_none=True,
        metadata={
            "description": "Really solved (真解决)? Required when reached, refused when not. "
            "false reopens the ticket, with the note as the reason (the note is then required)."
        },
    )
    rating = fields.String(
        allow_none=True,
        validate=validate.OneOf(RATINGS),
        metadata={
            "description": "Only when reached. Becomes the ticket's rating when it has none (an auto-closed ticket)."
        },
    )
    note = fields.String(allow_none=True, validate=validate.Length(max=NOTE_LENGTH))


class QueueItemSchema(Schema):
    ticket = fields.Nested(TicketSchema, required=True)
    reason = fields.String(
        required=True,
        validate=validate.OneOf([r.value for r in Reason]),
        metadata={
            "description": "auto_closed: closed by the sweep without a rating; recheck: a callback found it "
            "unsolved and it was completed again; sample: in the sample of the others."
        },
    )
    attempts = fields.Integer(required=True, metadata={"description": "Callbacks so far (none reached it)."})
    last_attempt_at = fields.DateTime(required=True, allow_none=True)


QueuePageSchema = PageSchema.from_dict(
    {"items": fields.List(fields.Nested(QueueItemSchema), required=True)}, name="CallbackQueuePage"
)


class QueueArgs(PageArgs):
    """page and per_page, as for the ticket list."""
