"""Shapes of the reports API: the query of the resolution report and its JSON document (§6)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from helpdesk.api.common import Id
from helpdesk.reports.service import GROUPS, WARNINGS
from helpdesk.tickets.schemas import DATE_RANGE

FORMATS = ("json", "csv", "xlsx")


class ReportQuerySchema(ma.Schema):
    group_by = fields.String(validate=validate.OneOf(GROUPS))
    jurisdiction_id = Id()
    department_id = Id()
    category = fields.String(validate=validate.Length(max=30), metadata={"description": "A category code."})
    date_from = fields.Date(
        data_key="from", validate=DATE_RANGE, metadata={"description": "First filing day (Asia/Shanghai)."}
    )
    date_to = fields.Date(data_key="to", validate=DATE_RANGE, metadata={"description": "Filing days before this one."})
    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS))


def _rate(description: str) -> fields.Float:
    return fields.Float(allow_none=True, validate=validate.Range(0, 1), metadata={"description": description})


OpenByWarningSchema = ma.Schema.from_dict(
    {name: fields.Integer(required=True) for name in WARNINGS}, name="OpenByWarning"
)


class FiguresSchema(ma.Schema):
    total = fields.Integer(required=True)
    eligible = fields.Integer(required=True, metadata={"description": "total − withdrawn − declined"})
    completed = fields.Integer(required=True, metadata={"description": "resolved or closed (办结)"})
    closed = fields.Integer(required=True)
    completion_rate = _rate("completed / eligible (办结率)")
    closed_rate = _rate("closed / eligible (销号率)")
    on_time_rate = _rate("completed on time / completed")
    response_rate = _rate("first response in time / answered or due")
    satisfaction_rate = _rate("(satisfied + 0.9 × basically satisfied) / rated")
    open_by_warning = fields.Nested(OpenByWarningSchema, required=True)
    gap_to_target = fields.Integer(required=True, metadata={"description": "Completions still needed."})
    meets_target = fields.Boolean(allow_none=True)
    score = fields.Float(allow_none=True, metadata={"description": "综合成绩, 0–100."})


class RowSchema(FiguresSchema):
    key = fields.Raw(
        allow_none=True,
        metadata={
            "oneOf": [{"type": "integer"}, {"type": "string"}],
            "description": "Id (jurisdiction, department, cadre; null: unassigned), category code, 2024-03 or 2024-W09.",
        },
    )
    label = fields.String(required=True)


class ReportSchema(ma.Schema):
    target = fields.Float(required=True)
    as_of = fields.String(required=True, metadata={"format": "date-time"})
    overall = fields.Nested(FiguresSchema, required=True)
    rows = fields.List(fields.Nested(RowSchema), required=True)
