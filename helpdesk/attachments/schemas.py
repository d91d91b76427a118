"""Shapes of the attachments API."""

from __future__ import annotations

from flask import url_for
from flask_smorest.fields import Upload
from marshmallow import fields

from helpdesk.api.common import Flag, Ref
from helpdesk.api.dumping import Schema


class AttachmentSchema(Schema):
    id = fields.Integer(required=True)
    ticket_id = fields.Integer(required=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True, metadata={"description": "As judged from the content."})
    size = fields.Integer(required=True, metadata={"description": "Bytes."})
    sha256 = fields.String(required=True)
    internal = fields.Boolean(required=True)
    uploader = fields.Nested(Ref, required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    url = fields.Method("get_url", metadata={"type": "string", "description": "Where to download it."})

    def get_url(self, attachment) -> str:
        return url_for("api_attachments.download", attachment_id=attachment.id)


class UploadSchema(Schema):
    file = Upload(
        required=True, metadata={"description": "PDF, PNG, JPEG, DOCX or XLSX (judged by content), at most 10 MB."}
    )
    internal = Flag(form=True, load_default=False, metadata={"description": "Government users only."})
