"""The query of the bulletin download."""

from __future__ import annotations

from marshmallow import fields, validate

from helpdesk.api.common import Id
from helpdesk.api.dumping import Schema
from helpdesk.bulletin.services import FORMATS, MONTH_PATTERN


class BulletinQuerySchema(Schema):
    jurisdiction_id = Id(metadata={"description": "Default: a supervisor's own jurisdiction, the province for admins."})
    month = fields.String(
        validate=validate.Regexp(f"^{MONTH_PATTERN}$", error="Give the month as YYYY-MM."),
        metadata={
            "description": "YYYY-MM; default the last full month. The current month gives the figures so far; "
            "a month not begun yet is 422.",
            "example": "2026-11",
            "pattern": f"^{MONTH_PATTERN}$",
        },
    )
    format = fields.String(load_default="docx", validate=validate.OneOf(FORMATS))
