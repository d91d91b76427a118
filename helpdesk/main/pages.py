"""Helpers every page module shares: role checks, loading a visible ticket, errors beside fields."""

from __future__ import annotations

from functools import wraps

from flask import abort, request, url_for
from flask_login import current_user, login_required

from helpdesk.errors import DomainError
from helpdesk.extensions import db
from helpdesk.tickets.labels import translate_message

PER_PAGE = 25


def ui_locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "zh_CN")


def display_name(obj) -> str:
    """The name of a jurisdiction, department or category in the UI language."""
    if obj is None:
        return ""
    return obj.display_name("en" if ui_locale() == "en" else None)


def role_required(*roles: str):
    """Logged in, and one of `roles` (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def load_visible_ticket(ticket_id: int):
    """The ticket if the current user may see it; 404 otherwise (absent and invisible look the same)."""
    from helpdesk.tickets.models import Ticket
    from helpdesk.tickets.queries import visible_tickets

    ticket = db.session.scalar(visible_tickets(current_user).where(Ticket.id == check_id(ticket_id)))
    if ticket is None:
        abort(404)
    return ticket


def attach_error(form, exc: DomainError, aliases: dict[str, str] | None = None, default: str | None = None) -> None:
    """Show a service's refusal beside the field it names (else `default`), or above the form."""
    message = translate_message(exc.message)
    name = (aliases or {}).get(exc.field or "", exc.field) or default
    field = getattr(form, name, None) if name else None
    if field is not None and hasattr(field, "errors") and name != "csrf_token":
        if not isinstance(field.errors, list):
            field.errors = list(field.errors)
        field.errors.append(message)
    else:
        form.form_errors.append(message)


def error_status(exc: DomainError) -> int:
    """The HTTP status a page answers with when a service refuses (a 409 for a stale page)."""
    return exc.status if exc.status in (403, 404, 409, 413, 415) else 422


def page_number() -> int:
    page = request.args.get("page", 1, type=int)
    return page if page and 0 < page < 100_000 else 1


def safe_next(default: str) -> str:
    """A same-site path from ?next= or the form's `next`, else `default`."""
    target = request.values.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target and target.isprintable():
        return target
    return default


def url_with(**changes) -> str:
    """The current page's URL with some query arguments changed (filters, pagination)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def options(pairs) -> list:
    """Select or radio choices from (value, label) pairs (WTForms' SelectChoice objects)."""
    from wtforms import SelectChoice

    return [SelectChoice(value=value, label=label) for value, label in pairs]


def grouped_options(groups: dict) -> list:
    """Select choices in <optgroup>s from {group label: [(value, label), …]}; the '' group has none."""
    from wtforms import SelectChoice

    return [
        SelectChoice(value=value, label=label, optgroup=group or None)
        for group, pairs in groups.items()
        for value, label in pairs
    ]


def query_text(name: str = "q", limit: int = 100) -> str:
    """A search box's text from the query string: trimmed, bounded, without NUL characters."""
    return (request.args.get(name) or "").replace("\x00", "").strip()[:limit]


MAX_ID = 2**31 - 1  # ids are 32-bit integers: anything larger is no object at all


def as_id(value) -> int | None:
    """An id from text (a query argument, a form value), or None when it cannot be one."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def arg_id(name: str) -> int | None:
    return as_id(request.args.get(name))


def coerce_id(value):
    """A select's coerce: '' is nothing chosen (None); anything that is not an id is refused."""
    if value in (None, "", "None"):
        return None
    number = as_id(value)
    if number is None:
        raise ValueError("not an id")
    return number


def check_id(object_id: int) -> int:
    """404 for a path id no row can have (beyond 32 bits), before it reaches the database."""
    if not 0 < object_id <= MAX_ID:
        abort(404)
    return object_id
