"""API: bearer tokens and users (PRODUCT.md §7)."""

from __future__ import annotations

from flask import current_app, make_response, request, url_for
from flask_smorest.error_handler import ErrorSchema
from sqlalchemy import or_, select

from helpdesk.api.auth import authenticate_request, current_token, current_user, roles_allowed
from helpdesk.api.common import ApiBlueprint, paginate
from helpdesk.api.openapi import errors
from helpdesk.auth.logins import (
    LoginRefused,
    PasswordChangeRequired,
    Throttled,
    change_password,
    check_credentials,
    must_change_password,
    unlock_user,
)
from helpdesk.auth.models import Role, User
from helpdesk.auth.schemas import (
    MeUpdateSchema,
    PasswordChangeSchema,
    TokenRequestSchema,
    TokenSchema,
    UserCreateSchema,
    UserPageSchema,
    UserQuerySchema,
    UserSchema,
    UserUpdateSchema,
)
from helpdesk.auth.services import (
    create_user_as_admin,
    issue_token,
    revoke_token,
    set_away,
    update_user,
)
from helpdesk.db import utcnow
from helpdesk.enterprises.models import Enterprise
from helpdesk.errors import NotFound, error_body
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Department
from helpdesk.jurisdictions.queries import subtree_ids
from helpdesk.notifications.preferences import set_channels

blp = ApiBlueprint("api_auth", __name__, url_prefix="/api/v1", description="Bearer tokens and users.")


def _refusal(exc: LoginRefused):
    """The JSON answer to a refused login (its failure already committed)."""
    response = make_response(error_body(exc.status, exc.message), exc.status)
    if isinstance(exc, Throttled):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


@blp.route("/auth/token", methods=["POST"], endpoint="issue_token")
@blp.doc(security=[])
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
@blp.alt_response(401, schema=ErrorSchema, description="Wrong email or password (the same answer for both).")
@blp.alt_response(
    403, schema=ErrorSchema, description="A temporary or expired password: change it first (/users/me/password)."
)
@blp.alt_response(
    429,
    schema=ErrorSchema,
    description="Too many failed attempts for this email from this address, or the account is locked; see Retry-After.",
)
def issue_token_view(credentials):
    """Exchange an email and password for a bearer token."""
    now = utcnow()
    try:
        user = check_credentials(credentials["email"], credentials["password"], address=request.remote_addr, now=now)
        if must_change_password(user, now):
            raise PasswordChangeRequired()
    except LoginRefused as exc:
        db.session.commit()  # the failure counts, and is logged
        return _refusal(exc)
    raw, token = issue_token(user, now)
    db.session.commit()
    return {"token": raw, "expires_at": token.expires_at}, 201


@blp.route("/users/me/password", methods=["POST"], endpoint="change_own_password")
@blp.doc(security=[{"bearerAuth": []}, {}])
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
@blp.alt_response(401, schema=ErrorSchema, description="Wrong current password, or no token and no email.")
@blp.alt_response(429, schema=ErrorSchema, description="Too many failed attempts, or the account is locked.")
def change_own_password(values):
    """Change the caller's password: with a bearer token, or with `email` (a temporary password gets no
    token). Every session and token of the user ends: get a new token with the new password."""
    now = utcnow()
    if values.get("email"):
        email = values["email"]
    else:
        authenticate_request()
        email = current_user().email
    try:
        user = check_credentials(email, values["current_password"], address=request.remote_addr, now=now)
    except LoginRefused as exc:
        db.session.commit()
        return _refusal(exc)
    change_password(user, values["current_password"], values["new_password"], now)
    db.session.commit()
    return current_app.response_class(status=204)


@blp.route("/auth/token", methods=["DELETE"])
@blp.response(204)
def revoke_token_view():
    """Revoke the token this request carries."""
    revoke_token(current_token())
    db.session.commit()
    return current_app.response_class(status=204)


# -- users ---------------------------------------------------------------------------------------


ADMINS_ONLY = "Only admins manage users."


@blp.route("/users/me", methods=["GET"])
@blp.response(200, UserSchema)
def me():
    """The caller."""
    return current_user()


@blp.route("/users/me", methods=["PATCH"])
@errors(403, descriptions={403: "Only cadres can be away: `away_until` from another role."})
@blp.arguments(MeUpdateSchema, required=False)  # every field is optional: no body changes nothing
@blp.response(200, UserSchema)
def update_me(values):
    """A cadre sets its own leave (`away_until`, inclusive; null when back): routing skips it meanwhile.
    Anybody chooses its channels beside in-app (`channels`: email, sms)."""
    user = current_user()
    if "away_until" in values:
        set_away(user, values["away_until"], by_self=True)
    if "channels" in values:
        set_channels(user, email="email" in values["channels"], sms="sms" in values["channels"])
    db.session.commit()
    return user


@blp.route("/users", methods=["GET"])
@roles_allowed(Role.ADMIN, message=ADMINS_ONLY)
@blp.arguments(UserQuerySchema, location="query")
@blp.response(200, UserPageSchema)
def list_users(args):
    """Admins: every user, filtered by role, department or jurisdiction (subtree), ordered by id."""
    query = select(User).order_by(User.id)
    if "role" in args:
        query = query.where(User.role == args["role"])
    if "department_id" in args:
        query = query.where(User.department_id == args["department_id"])
    if "jurisdiction_id" in args:
        ids = subtree_ids(args["jurisdiction_id"])
        query = query.where(
            or_(
                User.jurisdiction_id.in_(ids),
                User.department_id.in_(select(Department.id).where(Department.jurisdiction_id.in_(ids))),
                User.enterprise_id.in_(select(Enterprise.id).where(Enterprise.jurisdiction_id.in_(ids))),
            )
        )
    if args.get("q"):
        query = query.where(
            or_(User.name.icontains(args["q"], autoescape=True), User.email.icontains(args["q"], autoescape=True))
        )
    return paginate(query, args["page"], args["per_page"])


@blp.route("/users", methods=["POST"])
@roles_allowed(Role.ADMIN, message=ADMINS_ONLY)
@errors(409, descriptions={409: "A user with this email already exists."})
@blp.arguments(UserCreateSchema)
@blp.response(201, UserSchema)
def create_user_view(values):
    """Admins: create a user of a role with the one link that role needs."""
    user = create_user_as_admin(current_user(), **values)
    db.session.commit()
    return user, 201, {"Location": url_for("api_auth.update_user_view", user_id=user.id)}


@blp.route("/users/<id:user_id>", methods=["PATCH"])
@roles_allowed(Role.ADMIN, message=ADMINS_ONLY)
@blp.arguments(UserUpdateSchema, required=False)  # every field is optional: no body changes nothing
@blp.response(200, UserSchema)
def update_user_view(values, user_id):
    """Admins: change name, active, password, department, leave or language; deactivating revokes API access."""
    actor = current_user()
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    update_user(actor, user, values)
    db.session.commit()
    return user


@blp.route("/users/<id:user_id>/unlock", methods=["POST"])
@roles_allowed(Role.ADMIN, message=ADMINS_ONLY)
@blp.response(200, UserSchema)
def unlock_user_view(user_id):
    """Admins: unlock an account locked after failed logins (security-logged)."""
    actor = current_user()
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    unlock_user(actor, user, utcnow())
    db.session.commit()
    return user
