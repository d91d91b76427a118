"""Shapes of the deliveries API (admins): outbox rows and the list's filters."""

from __future__ import annotations

from marshmallow import fields, validate

from helpdesk.api.common import PageArgs, page_of
from helpdesk.api.dumping import Schema
from helpdesk.notifications.models import Channel, DeliveryStatus

STATUSES = [s.value for s in DeliveryStatus]
CHANNELS = [c.value for c in Channel]


class DeliverySchema(Schema):
    id = fields.Integer(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    recipient_id = fields.Integer(allow_none=True, metadata={"description": "The user; null for a group robot."})
    robot_id = fields.Integer(allow_none=True)
    address = fields.String(required=True, metadata={"description": "Email, mobile number, or the robot's name."})
    kind = fields.Function(lambda m: (m.payload or {}).get("kind"))
    subject = fields.Function(lambda m: (m.payload or {}).get("subject"))
    ticket_id = fields.Function(lambda m: (m.payload or {}).get("ticket_id"))
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    attempts = fields.Integer(required=True)
    next_attempt_at = fields.DateTime(required=True)
    lease_until = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    sent_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime(required=True)


DeliveryPageSchema = page_of(DeliverySchema, "DeliveryPage")


class DeliveryQuerySchema(PageArgs):
    status = fields.String(validate=validate.OneOf(STATUSES))
    channel = fields.String(validate=validate.OneOf(CHANNELS))
