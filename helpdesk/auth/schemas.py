"""Shapes of the auth API: tokens and users (no business rules: the services check values)."""

from __future__ import annotations

from marshmallow import fields, validate

from helpdesk.api.common import Flag, Id, PageArgs, length, page_of
from helpdesk.api.dumping import Schema
from helpdesk.auth.models import Role
from helpdesk.auth.services import MIN_PASSWORD
from helpdesk.notifications.preferences import chosen_channels

ROLES = [r.value for r in Role]
LOCALES = ["zh_CN", "en"]


class TokenRequestSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(max=1000), load_only=True)


class TokenSchema(Schema):
    token = fields.String(required=True, metadata={"description": "Send as 'Authorization: Bearer <token>'."})
    expires_at = fields.DateTime(required=True)


EMAIL = {"format": "email"}
PASSWORD = {"minLength": MIN_PASSWORD, "description": f"At least {MIN_PASSWORD} characters."}
MOBILE = {"description": "A mainland mobile number, 11 digits (spaces, dashes and +86 are dropped); unique."}
CHANNELS = ["email", "sms"]


class UserSchema(Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True, metadata=EMAIL)
    mobile = fields.String(allow_none=True, metadata=MOBILE)
    channels = fields.Function(
        lambda user: [c.value for c in chosen_channels(user)],
        metadata={"description": "Channels beside in-app that the user chose (email, sms)."},
    )
    name = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    active = fields.Boolean(required=True)
    locale = fields.String(required=True)
    enterprise_id = fields.Integer(allow_none=True)
    department_id = fields.Integer(allow_none=True)
    jurisdiction_id = fields.Integer(allow_none=True)
    away_until = fields.Date(allow_none=True, metadata={"description": "On leave up to and including this day."})
    created_at = fields.DateTime(required=True)
    locked_until = fields.DateTime(
        allow_none=True, metadata={"description": "Locked after failed logins until then (an admin can unlock)."}
    )


UserPageSchema = page_of(UserSchema, "UserPage")


class UserQuerySchema(PageArgs):
    role = fields.String(validate=validate.OneOf(ROLES))
    department_id = Id()
    jurisdiction_id = Id(metadata={"description": "Users working in this jurisdiction's subtree."})
    q = fields.String(validate=validate.Length(max=100), metadata={"description": "Part of the name or email."})


class UserCreateSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(max=254), metadata=EMAIL)
    name = fields.String(required=True, validate=length(1, 100))
    password = fields.String(required=True, validate=validate.Length(max=1000), load_only=True, metadata=PASSWORD)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    enterprise_id = Id(metadata={"description": "Required for an enterprise user."})
    department_id = Id(metadata={"description": "Required for a cadre."})
    jurisdiction_id = Id(metadata={"description": "Required for a supervisor."})
    locale = fields.String(validate=validate.OneOf(LOCALES))
    mobile = fields.String(allow_none=True, validate=validate.Length(max=20), metadata=MOBILE)
    temporary_password = fields.Boolean(
        load_default=False, metadata={"description": "The user must change the password at its first login."}
    )


class UserUpdateSchema(Schema):
    name = fields.String(validate=length(1, 100))
    active = Flag()
    password = fields.String(validate=validate.Length(max=1000), load_only=True, metadata=PASSWORD)
    temporary_password = Flag(
        metadata={"description": "With `password`: the user must change it at its next login (default false)."}
    )
    department_id = Id()
    away_until = fields.Date(allow_none=True)
    locale = fields.String(validate=validate.OneOf(LOCALES))
    mobile = fields.String(allow_none=True, validate=validate.Length(max=20), metadata=MOBILE)


class MeUpdateSchema(Schema):
    away_until = fields.Date(
        allow_none=True,
        metadata={"description": "Cadres only (403 for other roles): on leave up to this day; null clears."},
    )
    channels = fields.List(
        fields.String(validate=validate.OneOf(CHANNELS)),
        validate=validate.Length(max=2),
        metadata={"description": "Channels beside in-app (always on): email, sms (sms needs a mobile number)."},
    )


class PasswordChangeSchema(Schema):
    current_password = fields.String(required=True, validate=validate.Length(max=1000), load_only=True)
    new_password = fields.String(required=True, validate=validate.Length(max=1000), load_only=True)
    email = fields.String(
        validate=validate.Length(max=254),
        metadata={"description": "Instead of a bearer token: whose password (a temporary one gets no token)."},
    )
