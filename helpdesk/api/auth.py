"""Bearer-token authentication of API requests (the API never reads the session cookie)."""

from __future__ import annotations

from datetime import timedelta

from flask import g, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from helpdesk.auth.models import ApiToken, User
from helpdesk.auth.services import find_token
from helpdesk.db import utcnow
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
