"""Shapes of the reference data API: categories, jurisdictions, departments."""

from __future__ import annotations

from marshmallow import fields, validate

from helpdesk.api.common import Id
from helpdesk.api.dumping import Schema
from helpdesk.jurisdictions.models import Level


class CategorySchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)
    response_days = fields.Integer(required=True, metadata={"description": "Working days to a first response."})
    resolution_days = fields.Integer(required=True, metadata={"description": "Working days to resolve."})


class JurisdictionSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True, metadata={"description": "GB/T 2260 division code."})
    name = fields.String(required=True)
    name_en = fields.String(required=True)
    level = fields.String(required=True, validate=validate.OneOf([level.value for level in Level]))
    parent_id = fields.Integer(allow_none=True)


class DepartmentSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)
    short_name = fields.String(
        required=True, metadata={"description": "Without the jurisdiction, for charts: 自然资源局 (empty: use name)."}
    )
    short_name_en = fields.String(required=True, metadata={"description": "Natural Resources (empty: use name_en)."})
    jurisdiction_id = fields.Integer(required=True)
    is_default = fields.Boolean(required=True, metadata={"description": "The jurisdiction's general office."})


class DepartmentQuerySchema(Schema):
    jurisdiction_id = Id()
