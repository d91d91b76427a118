"""REST API v1 (PRODUCT.md §7): flask-smorest, bearer tokens, JSON errors.

Each feature keeps its endpoints in `<feature>/api.py` and its shapes in `<feature>/schemas.py`;
this package wires them: the OpenAPI document, authentication, and the offline docs page.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_smorest import Api, abort

from helpdesk.api.auth import authenticate_request, refuse_role
from helpdesk.api.common import IdConverter, id_param_schema
from helpdesk.api.openapi import ErrorResponsesPlugin, nullable_reference

URL_PREFIX = "/api/v1"

SPEC_OPTIONS = {
    "info": {
        "description": (
            "The HTTP API of the Enterprise Assistance Helpdesk (万人助万企). Get a token with "
            "`POST /api/v1/auth/token`, then send `Authorization: Bearer <token>`. Errors are JSON "
            '`{"code", "status", "message", "errors"?}`.'
        )
    },
    "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    "security": [{"bearerAuth": []}],
}


def _blueprints():
    from helpdesk.attachments.api import blp as attachments
    from helpdesk.auth.api import blp as auth
    from helpdesk.bulletin.api import blp as bulletin
    from helpdesk.callbacks.api import blp as callbacks
    from helpdesk.common_issues.api import blp as common_issues
    from helpdesk.enterprises.api import blp as enterprises
    from helpdesk.jurisdictions.api import blp as reference
    from helpdesk.notifications.api import blp as deliveries
    from helpdesk.reports.api import blp as reports
    from helpdesk.tickets.api import blp as tickets

    return (auth, reference, enterprises, tickets, attachments, reports, deliveries, callbacks, bulletin, common_issues)


# Endpoints that answer without a token (the OpenAPI document and docs are on their own blueprints).
# /users/me/password authenticates itself: a bearer token, or the email and current password of a user whose
# temporary password gets no token.
PUBLIC_ENDPOINTS = frozenset({"api_auth.issue_token", "api_auth.change_own_password"})


def init_api(app: Flask) -> None:
    """Register the API blueprints under /api/v1, the OpenAPI document, the docs page and bearer auth."""
    from helpdesk.api.docs import bp as docs_bp
    from helpdesk.extensions import csrf

    app.url_map.converters["id"] = IdConverter
    app.config.setdefault("OPENAPI_URL_PREFIX", URL_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", SPEC_OPTIONS)
    api = Api(app, spec_kwargs={"extra_plugins": [ErrorResponsesPlugin()]})
    api.ma_plugin.converter.add_attribute_function(nullable_reference)
    api.register_converter(IdConverter, id_param_schema)
    names = set()
    for blp in _blueprints():
        api.register_blueprint(blp)
        csrf.exempt(blp)  # token-authenticated: no cookie, so no cross-site request forgery
        names.add(blp.name)
    app.register_blueprint(docs_bp)
    app.extensions["helpdesk-api"] = {"api": api, "blueprints": frozenset(names)}
    app.before_request(_guard_api_request)


def _guard_api_request() -> None:
    """Bearer authentication for every API endpoint but the public ones, then the role (`roles_allowed`),
    then unknown query fields (422): a caller whose role may not use an endpoint gets 403 whatever it sent."""
    if request.blueprint not in current_app.extensions["helpdesk-api"]["blueprints"]:
        return
    if request.endpoint not in PUBLIC_ENDPOINTS:
        authenticate_request()
        refuse_role(current_app.view_functions.get(request.endpoint))
    _refuse_undeclared_query()


def _refuse_undeclared_query() -> None:
    """An endpoint that declares no query fields refuses any (those that declare some refuse the rest)."""
    if not request.args:
        return
    view = current_app.view_functions.get(request.endpoint)
    parameters = getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    if not any(p.get("in") == "query" for p in parameters):
        abort(422, messages={"query": {name: ["Unknown field."] for name in request.args}})
