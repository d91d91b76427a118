"""Shapes of the enterprises API."""

from __future__ import annotations

from marshmallow import fields, validate

from helpdesk.api.common import Id, PageArgs, Ref, length, page_of
from helpdesk.api.dumping import Schema
from helpdesk.enterprises.credit_code import CHARSET, LENGTH
from helpdesk.enterprises.models import SIZES

# GB 32100: 18 characters of the code's alphabet (no I, O, S, V, Z), the division code (positions 3-8) in digits.
CREDIT_CODE_PATTERN = f"^[{CHARSET}]{{2}}[0-9]{{6}}[{CHARSET}]{{10}}$"
CREDIT_CODE = {
    "minLength": LENGTH,
    "maxLength": LENGTH,
    "pattern": CREDIT_CODE_PATTERN,
    "description": "统一社会信用代码 (GB 32100): 18 digits and capital letters except I, O, S, V and Z, positions "
    "3-8 the division code, the last one a valid check character (422 saying what is wrong otherwise). "
    "Spaces are dropped and letters upper-cased before it is checked.",
}


class JurisdictionRef(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    level = fields.String(required=True)


class EnterpriseSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    credit_code = fields.String(required=True, metadata={"description": "统一社会信用代码 (18 characters)."})
    jurisdiction = fields.Nested(JurisdictionRef, required=True)
    industry = fields.String(allow_none=True)
    size = fields.String(allow_none=True, validate=validate.OneOf(SIZES))
    is_key = fields.Boolean(required=True, metadata={"description": "重点企业: on the white list."})
    liaison = fields.Nested(
        Ref, required=True, allow_none=True, metadata={"description": "The paired cadre (包联干部)."}
    )
    created_at = fields.DateTime(required=True)


EnterprisePageSchema = page_of(EnterpriseSchema, "EnterprisePage")


class EnterpriseQuerySchema(PageArgs):
    q = fields.String(validate=validate.Length(max=200), metadata={"description": "Part of the name or credit code."})


class EnterpriseCreateSchema(Schema):
    name = fields.String(required=True, validate=length(2, 200))
    credit_code = fields.String(required=True, validate=validate.Length(max=100), metadata=CREDIT_CODE)
    jurisdiction_id = Id(required=True, metadata={"description": "The county-level division."})
    industry = fields.String(allow_none=True, validate=validate.Length(max=100))
    liaison_id = Id(allow_none=True, metadata={"description": "The cadre to pair it with."})
