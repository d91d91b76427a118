"""Domain errors raised by services, and how they reach people: JSON under /api, pages otherwise."""

from __future__ import annotations

import logging

import psycopg
from flask import Flask, Response, flash, jsonify, redirect, render_template, request
from markupsafe import escape
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    OperationalError,
    PendingRollbackError,
)
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


def N_(message: str) -> str:
    """Mark a message for extraction (pybabel) where no DomainError call names it: it is translated when shown."""
    return message


class Term:
    """A value inside a message that people read in their own words: the English sentence (the API's, the
    logs') shows `value` ("in_progress", "transfer"), a page in another language its `label` (a lazy
    translation: 办理中, 转办). `Term.either(terms)` names several ("assignee, supervisor" / 承办干部或督查人员)."""

    def __init__(self, value: object, label: object):
        self.value = value
        self.label = label

    def __str__(self) -> str:
        return str(self.value)

    def __repr__(self) -> str:
        return repr(self.value)

    def in_locale(self, english: bool) -> str:
        return str(self.value) if english else str(self.label)

    @classmethod
    def either(cls, terms: list[Term]) -> Term:
        from flask_babel import LazyString, gettext

        def joined() -> str:
            labels = [str(t.label) for t in terms]
            if len(labels) < 2:
                return "".join(labels)
            # TRANSLATORS: the separator of a list of people, "a, b or c" (、 in Chinese).
            return gettext("%(first)s or %(last)s", first=gettext(", ").join(labels[:-1]), last=labels[-1])

        return cls(", ".join(str(t.value) for t in terms), LazyString(joined))


class DomainError(Exception):
    """Base of the errors services raise; `status` is the HTTP code it maps to.

    `message` is an English template with %(name)s placeholders filled from `params`: `.message` is the
    English sentence (the API's, and the logs'), `.localized()` the same in the reader's language. pybabel
    extracts the first argument of every DomainError subclass call (babel.cfg), so a message is written
    once, where it is raised.
    """

    status = 400

    def __init__(self, message: str, field: str | None = None, errors: dict | None = None, **params):
        self.template = message
        self.params = params
        self.message = message % params if params else message
        super().__init__(self.message)
        self.field = field
        self.errors = errors or ({field: [self.message]} if field else None)

    def localized(self) -> str:
        """The message in the current locale (Flask-Babel), with its values filled in."""
        from flask_babel import get_locale, gettext

        if not self.params:
            return gettext(self.template)
        english = str(get_locale() or "").startswith("en")
        params = {k: v.in_locale(english) if isinstance(v, Term) else v for k, v in self.params.items()}
        return gettext(self.template, **params)


class NotFound(DomainError):
    """Absent, or not visible to the caller (the two are indistinguishable on purpose)."""

    status = 404


class NotAllowed(DomainError):
    """The caller's role may not do this."""

    status = 403


class Conflict(DomainError):
    """Stale version, an action the status does not allow, a duplicate."""

    status = 409


class InvalidTransition(Conflict):
    """The workflow table has no row for (action, current status, role)."""


class ValidationFailed(DomainError):
    """Input that is well-formed but wrong: a bad field value."""

    status = 422


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_body(status: int, message: str, errors: dict | None = None, location: str = "json") -> dict:
    from http import HTTPStatus

    body = {"code": status, "status": HTTPStatus(status).phrase, "message": message}
    if errors:
        body["errors"] = {location: errors}
    return body


# Errors that mean "the database went away under this request" even when they do not arrive as a
# wrapped DBAPIError: a session left broken by a failed statement, a dropped pooled connection, or
# the driver's own error raised outside SQLAlchemy.
DATABASE_GONE = (PendingRollbackError, DisconnectionError, psycopg.OperationalError, psycopg.InterfaceError)


UNAVAILABLE_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>503</title><style>body{{font-family:sans-serif;margin:3rem auto;max-width:40rem;padding:0 1rem}}</style></head>
<body><h1>503 · 服务暂时不可用 / Service temporarily unavailable</h1><p>{message}</p>
<p>请稍后重试。Please try again in a moment.</p></body></html>
"""


def _rollback_quietly() -> None:
    from helpdesk.extensions import db

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection may already be gone; the request still gets its answer
        log.warning("rollback failed: the database connection is gone")


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(exc: DomainError):
        _rollback_quietly()
        if _wants_json():
            # A field named by a service is where the request carried it: the query string of a GET, else the body
            # (a JSON document, or a multipart form with files).
            location = "query" if request.method in ("GET", "HEAD") else "json"
            if request.mimetype == "multipart/form-data":
                location = "multipart"
            return jsonify(error_body(exc.status, exc.message, exc.errors, location)), exc.status
        if exc.status == 404:  # a page naming something the user may not see: the same 404 as a missing one
            return render_template("errors/error.html", code=404, message=None), 404
        flash(exc.localized(), "danger")
        return redirect(request.referrer or "/")

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def handle_database_down(exc):
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        log.error("database error: %s: %s", exc.__class__.__name__, detail[0] if detail else "")
        _rollback_quietly()
        message = "The service is temporarily unavailable. Please try again shortly."
        if _wants_json():
            return jsonify(error_body(503, message)), 503
        # A page of its own, outside Jinja: the usual layout and its context ask the database who
        # is logged in and how many notifications they have.
        body = UNAVAILABLE_PAGE.format(message=escape(message))
        return Response(body, 503, {"Retry-After": "5"}, mimetype="text/html")

    @app.errorhandler(DataError)
    @app.errorhandler(IntegrityError)
    def handle_bad_data(exc):
        """A value the database refuses (NUL in text, a number out of range) is the request's fault;
        a unique-key collision that slipped past the services' checks is a concurrent duplicate."""
        _rollback_quietly()
        status = 409 if isinstance(exc, IntegrityError) else 400
        message = (
            "That conflicts with a record saved at the same moment. Reload and try again."
            if status == 409
            else "The request contains a value that cannot be stored."
        )
        log.warning("database refused a value: %s", exc.__class__.__name__)
        if _wants_json():
            return jsonify(error_body(status, message)), status
        return render_template("errors/error.html", code=status, message=message), status

    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException):
        if _wants_json():
            body = error_body(exc.code or 500, exc.description or exc.name)
            data = getattr(exc, "data", None)
            if isinstance(data, dict) and data.get("messages"):
                body["errors"] = data["messages"]
            response = jsonify(body)
            response.status_code = exc.code or 500
            for key, value in exc.get_headers():
                if key.lower() != "content-type":
                    response.headers[key] = value
            return response
        return render_template("errors/error.html", code=exc.code, message=exc.description), exc.code

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return handle_http(exc)
        if isinstance(exc, DATABASE_GONE):
            return handle_database_down(exc)
        log.exception("unhandled error")
        _rollback_quietly()
        message = "Something went wrong on our side. The error has been logged."
        if _wants_json():
            return jsonify(error_body(500, message)), 500
        return render_template("errors/error.html", code=500, message=message), 500
