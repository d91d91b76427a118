"""Bearer-token authentication of API requests (the API never reads the session cookie)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from flask import current_app, g, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from helpdesk.api.openapi import document_errors
from helpdesk.auth.models import ApiToken, Role, User
from helpdesk.auth.services import find_token
from helpdesk.db import utcnow
from helpdesk.errors import NotAllowed
from helpdesk.extensions import db

# last_used_at is a hint for people reviewing tokens, not an audit trail: writing it on every request would
# turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=10)


class TokenRequired(Unauthorized):
    description = (
        "A valid bearer token is required: POST /api/v1/auth/token, then send 'Authorization: Bearer <token>'."
    )

    def __init__(self, description: str | None = None):
        super().__init__(description, www_authenticate=WWWAuthenticate("bearer", {"realm": "api"}))


def bearer_value() -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    value = value.strip()
    return value if scheme.lower() == "bearer" and value else None


def authenticate_request() -> None:
    """Find the caller from `Authorization: Bearer …`, or refuse with 401."""
    raw = bearer_value()
    if raw is None:
        raise TokenRequired()
    now = utcnow()
    token = find_token(raw, now)
    if token is None:
        raise TokenRequired("The bearer token is unknown, expired or revoked, or its user is deactivated.")
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.commit()
    g.api_token = token
    g.api_user = token.user


def current_user() -> User:
    """The authenticated caller of this API request."""
    return g.api_user


def current_token() -> ApiToken:
    return g.api_token


# -- roles -----------------------------------------------------------------------------------------


def roles_allowed(*roles: Role, message: str) -> Callable:
    """Only callers of these roles may use the endpoint: 403 for the others, before the body or query is read.

    Put it right under `@blp.route` (above `@blp.arguments`); it also documents the 403 in the OpenAPI document.
    `message` is the refusal (English, like every API message).
    """
    allowed = frozenset(roles)

    def decorator(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            refuse_role(wrapper)
            return current_app.ensure_sync(func)(*args, **kwargs)

        wrapper.roles_allowed = (allowed, message)
        return document_errors(wrapper, {403: message})

    return decorator


def refuse_role(view) -> None:
    """NotAllowed when the view is limited to roles the caller does not have (the request guard calls it too)."""
    limit = getattr(view, "roles_allowed", None)
    if limit is not None and current_user().role not in limit[0]:
        raise NotAllowed(limit[1])
