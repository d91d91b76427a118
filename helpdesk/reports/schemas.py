"""Shapes of the reports API: the query of the resolution report and its JSON document (§6)."""

from __future__ import annotations

from marshmallow import fields, validate

from helpdesk.api.common import Id
from helpdesk.api.dumping import Schema
from helpdesk.reports.export import HEADERS
from helpdesk.reports.figures import GROUPS, WARNINGS
from helpdesk.tickets.schemas import DATE_RANGE

FORMATS = ("json", "csv", "xlsx")


class ScopeQuerySchema(Schema):
    """The scope and period of a report: the same parameters for every report endpoint."""

    jurisdiction_id = Id()
    department_id = Id()
    category = fields.String(validate=validate.Length(max=30), metadata={"description": "A category code."})
    date_from = fields.Date(
        data_key="from", validate=DATE_RANGE, metadata={"description": "First filing day (Asia/Shanghai)."}
    )
    date_to = fields.Date(data_key="to", validate=DATE_RANGE, metadata={"description": "Filing days before this one."})


class ReportQuerySchema(ScopeQuerySchema):
    group_by = fields.String(validate=validate.OneOf(GROUPS))
    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS))
    headers = fields.String(
        load_default="machine",
        validate=validate.OneOf(HEADERS),
        metadata={
            "description": "With format=csv or xlsx: machine (field names, raw fractions; the default) or "
            "people (the caller's language, percentages, a title row)."
        },
    )


def _rate(description: str) -> fields.Float:
    return fields.Float(allow_none=True, validate=validate.Range(0, 1), metadata={"description": description})


OpenByWarningSchema = Schema.from_dict({name: fields.Integer(required=True) for name in WARNINGS}, name="OpenByWarning")


class FiguresSchema(Schema):
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
    callback_rate = _rate("completed tickets called back (回访) / completed")
    verified_solved_rate = _rate("really solved (真解决) / reached by a callback")


class RowSchema(FiguresSchema):
    key = fields.Raw(
        allow_none=True,
        metadata={
            "oneOf": [{"type": "integer"}, {"type": "string"}],
            "description": "Id (jurisdiction, department, cadre; null: unassigned), category code, 2024-03 or 2024-W09.",
        },
    )
    label = fields.String(required=True)


class ReportSchema(Schema):
    target = fields.Float(required=True)
    as_of = fields.String(required=True, metadata={"format": "date-time"})
    overall = fields.Nested(FiguresSchema, required=True)
    rows = fields.List(fields.Nested(RowSchema), required=True)


class DashboardJurisdictionSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.String(required=True)


class TileSchema(FiguresSchema):
    key = fields.Integer(required=True, metadata={"description": "The child jurisdiction's id."})
    label = fields.String(required=True)
    colour = fields.String(
        required=True,
        validate=validate.OneOf(["red", "orange", "yellow", "green"]),
        metadata={"description": "The colour of its worst open ticket (green when none is late)."},
    )


class RankedSchema(FiguresSchema):
    rank = fields.Integer(required=True, metadata={"description": "1 is the best score; equal scores share a rank."})
    key = fields.Integer(allow_none=True, required=True)
    label = fields.String(required=True)


class LaggardSchema(FiguresSchema):
    kind = fields.String(required=True, validate=validate.OneOf(["jurisdiction", "department"]))
    key = fields.Integer(allow_none=True, required=True)
    label = fields.String(required=True)


class TrendPointSchema(Schema):
    month = fields.String(required=True, metadata={"example": "2026-03"})
    figures = fields.Nested(
        FiguresSchema, allow_none=True, required=True, metadata={"description": "null: no tickets."}
    )


class ReachedSchema(Schema):
    issues = fields.Integer(required=True, metadata={"description": "Common issues reaching it (共性问题)."})
    resolved_issues = fields.Integer(required=True)
    tickets = fields.Integer(required=True, metadata={"description": "Tickets linked to a common issue."})
    enterprises = fields.Integer(required=True, metadata={"description": "Distinct enterprises of those tickets."})


class ReachRowSchema(ReachedSchema):
    key = fields.Raw(required=True, metadata={"description": "A jurisdiction id, or a category code."})
    label = fields.String(required=True)


class CommonIssueFiguresSchema(Schema):
    """Common issues of the tickets filed in the period: an issue counts in each division and category it
    reaches, so rows may add up to more issues than the overall figure; tickets and enterprises add up."""

    overall = fields.Nested(ReachedSchema, required=True)
    by_jurisdiction = fields.List(fields.Nested(ReachRowSchema), required=True)
    by_category = fields.List(fields.Nested(ReachRowSchema), required=True)


class DashboardSchema(Schema):
    """Everything the dashboard page shows, for the same scope and period."""

    target = fields.Float(required=True)
    as_of = fields.String(required=True, metadata={"format": "date-time"})
    date_from = fields.Date(data_key="from", allow_none=True, required=True)
    date_to = fields.Date(data_key="to", allow_none=True, required=True, metadata={"description": "Exclusive."})
    board_root = fields.Nested(
        DashboardJurisdictionSchema,
        allow_none=True,
        required=True,
        metadata={"description": "The jurisdiction whose children make up the board (null for a cadre)."},
    )
    overall = fields.Nested(FiguresSchema, required=True)
    open_by_warning = fields.Nested(OpenByWarningSchema, required=True)
    board = fields.List(fields.Nested(TileSchema), required=True)
    league_jurisdictions = fields.List(fields.Nested(RankedSchema), required=True)
    league_departments = fields.List(fields.Nested(RankedSchema), required=True)
    laggards = fields.List(fields.Nested(LaggardSchema), required=True, metadata={"description": "Largest gap first."})
    busiest_departments = fields.List(fields.Nested(RowSchema), required=True)
    trend = fields.List(fields.Nested(TrendPointSchema), required=True, metadata={"description": "The last 12 months."})
    common_issues = fields.Nested(CommonIssueFiguresSchema, required=True, allow_none=True)
