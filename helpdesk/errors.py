"""Domain errors raised by services, and how they reach people: JSON under /api, pages otherwise."""

from __future__ import annotations

import logging

from flask import Flask, flash, jsonify, redirect, render_template, request
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    """Base of the errors services raise; `status` is the HTTP code it maps to."""

    status = 400

    def __init__(self, message: str, field: str | None = None, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors or ({field: [message]} if field else None)


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


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(exc: DomainError):
        from helpdesk.extensions import db

        db.session.rollback()
        if _wants_json():
            # A field named by a service is where the request carried it: the query string of a GET, else the body
            # (a JSON document, or a multipart form with files).
            location = "query" if request.method in ("GET", "HEAD") else "json"
            if request.mimetype == "multipart/form-data":
                location = "multipart"
            return jsonify(error_body(exc.status, exc.message, exc.errors, location)), exc.status
        flash(exc.message, "danger")
        return redirect(request.referrer or "/")

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def handle_database_down(exc):
        from helpdesk.extensions import db

        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        log.error("database error: %s: %s", exc.__class__.__name__, detail[0] if detail else "")
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection is already gone
            pass
        message = "The service is temporarily unavailable. Please try again shortly."
        if _wants_json():
            return jsonify(error_body(503, message)), 503
        return render_template("errors/error.html", code=503, message=message), 503

    @app.errorhandler(DataError)
    @app.errorhandler(IntegrityError)
    def handle_bad_data(exc):
        """A value the database refuses (NUL in text, a number out of range) is the request's fault;
        a unique-key collision that slipped past the services' checks is a concurrent duplicate."""
        from helpdesk.extensions import db

        db.session.rollback()
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
        log.exception("unhandled error")
        message = "Something went wrong on our side. The error has been logged."
        if _wants_json():
            return jsonify(error_body(500, message)), 500
        return render_template("errors/error.html", code=500, message=message), 500
