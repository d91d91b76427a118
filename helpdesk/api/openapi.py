"""How the OpenAPI document says what flask-smorest leaves out: the error answers of each operation, and
nullable references a generated client can type.

Error statuses come from two places, both declarative:
- rules for every operation (ErrorResponsesPlugin): 401 when it needs a token, 404 when its path names an
  object, 422 always (unknown query fields are refused everywhere);
- a decorator on the route for the rest: `@errors(409)`, `@errors(413, 415)`; `roles_allowed` (api/auth.py)
  adds its 403 itself.
Each answer carries the error schema ({code, status, message, errors?}).
"""

from __future__ import annotations

from copy import deepcopy
from http import HTTPStatus

import marshmallow as ma
from apispec import BasePlugin
from flask_smorest.error_handler import ErrorSchema

ERROR_DESCRIPTIONS = {
    401: "No valid bearer token: missing, unknown, expired or revoked, or its user is deactivated.",
    403: "Your role, or your relation to the object, does not allow this.",
    404: "No such object, or one you may not see (the two answer alike).",
    409: "A conflict: the object's status or `version` does not allow it, or a duplicate.",
    413: "The upload is larger than 10 MB.",
    415: "Not a PDF, PNG, JPEG, DOCX or XLSX file (judged by its content).",
    422: "A field is missing or wrong; `errors` names it under its location (json, query, multipart).",
    429: "Too many attempts; wait as many seconds as Retry-After says.",
}


def document_errors(func, answers: dict[int, str]):
    """Record error answers in a view's flask-smorest doc (the way `alt_response` does), without wrapping it."""
    func._apidoc = deepcopy(getattr(func, "_apidoc", {}))
    responses = func._apidoc.setdefault("response", {}).setdefault("responses", {})
    for status, description in answers.items():
        entries = responses.setdefault(status, [])
        same = [e for e in entries if isinstance(e, dict) and isinstance(e.get("schema"), ErrorSchema)]
        if same:  # two reasons for one status (a role refused, an object out of scope): one answer saying both
            same[0]["description"] = f"{description} {same[0]['description']}"
        else:
            entries.append({"schema": ErrorSchema(), "description": description, "content_type": None})
    return func


def errors(*statuses: int, descriptions: dict[int, str] | None = None):
    """`@errors(409, 413)`: this operation can answer these statuses (put it under `@blp.route`)."""
    answers = {status: (descriptions or {}).get(status) or ERROR_DESCRIPTIONS[status] for status in statuses}
    return lambda func: document_errors(func, answers)


def _error(status: int) -> dict:
    return {
        "description": ERROR_DESCRIPTIONS.get(status, HTTPStatus(status).phrase),
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


class ErrorResponsesPlugin(BasePlugin):
    """Adds the error answers every operation shares to the document (after flask-smorest built it)."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            wanted = [422]
            if operation.get("security") != []:
                wanted.append(401)
            if "{" in (path or ""):
                wanted.append(404)
            for status in wanted:
                if str(status) not in responses and status not in responses:
                    responses[str(status)] = _error(status)


def nullable_reference(self, field, ret, **kwargs) -> dict:
    """apispec attribute function: a nullable Nested field as `{allOf: [$ref], nullable: true}`.

    apispec writes OpenAPI 3.0 nullable references as `anyOf` of the reference and "any object", in an order
    that depends on the field's other attributes, and generators then type some of them as plain dicts.
    """
    if not (isinstance(field, ma.fields.Nested) and field.allow_none and "anyOf" in ret):
        return {}
    references = [option for option in ret["anyOf"] if "$ref" in option]
    if len(references) != 1:
        return {}
    del ret["anyOf"]
    return {"allOf": references, "nullable": True}
