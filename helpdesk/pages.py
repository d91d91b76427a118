"""The page toolkit every page module shares: role checks, saving a form through one service call,
errors beside fields, safe redirects, ids and choices from the query string."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from helpdesk.db import MAX_ID
from helpdesk.errors import DomainError
from helpdesk.extensions import db

PER_PAGE = 25
# Each role's start page, registered by the feature that draws it (@home_page): "/" shows it.
HOME_PAGES: dict[str, Callable] = {}


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


def home_page(role: str):
    """Register a view as the start page of a role."""

    def decorator(view):
        HOME_PAGES[str(role)] = view
        return view

    return decorator


def register_template_helpers(app) -> None:
    """Helpers every template may call: labels of stored values, names in the UI language, URLs."""
    from helpdesk import labels

    def label(table):
        return lambda value: str(table.get(value, value or "")) if value is not None else ""

    helpers = {
        "status_label": label(labels.STATUS_LABELS),
        "status_style": lambda s: labels.STATUS_STYLES.get(s, "status-ended"),
        "role_label": label(labels.ROLE_LABELS),
        "rating_label": label(labels.RATING_LABELS),
        "priority_label": label(labels.PRIORITY_LABELS),
        "colour_label": label(labels.COLOUR_LABELS),
        "level_label": label(labels.LEVEL_LABELS),
        "size_label": label(labels.SIZE_LABELS),
        "audit_entity_label": label(labels.AUDIT_ENTITY_LABELS),
        "audit_action_label": label(labels.AUDIT_ACTION_LABELS),
        "delivery_status_label": label(labels.DELIVERY_STATUS_LABELS),
        "channel_label": label(labels.CHANNEL_LABELS),
        "category_name": display_name,
        "department_name": display_name,
        "jurisdiction_name": display_name,
        "display_name": display_name,
        "url_with": url_with,
    }
    app.context_processor(lambda: helpers)


def attach_error(form, exc: DomainError, aliases: dict[str, str] | None = None, default: str | None = None) -> None:
    """Show a service's refusal beside the field it names (else `default`), or above the form."""
    message = exc.localized()
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


@dataclass
class Outcome:
    """What became of a form post: a redirect to follow, or the status (and refusal) to render the form with."""

    response: Response | None
    status: int
    error: DomainError | None = None


def save(
    form,
    call: Callable[[], object],
    success: str | Callable[[object], str] | None,
    redirect_to: str | Callable[[object], str],
    *,
    aliases: dict[str, str] | None = None,
    default_field: str | None = None,
    validate: bool = True,
    on_error: Callable[[DomainError], None] | None = None,
) -> Outcome:
    """The one way a page saves: validate the form, run one service call, commit, flash, redirect.

    A refusal rolls back, runs `on_error` (to discard stored files, say), and lands beside the field it
    names (`aliases` maps a service's field to the form's, `default_field` takes what names none).
    """
    if validate and not form.validate_on_submit():
        return Outcome(None, 422)
    try:
        result = call()
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        if on_error is not None:
            on_error(exc)
        attach_error(form, exc, aliases, default_field)
        return Outcome(None, error_status(exc), exc)
    if success:
        flash(success(result) if callable(success) else success, "success")
    return Outcome(redirect(redirect_to(result) if callable(redirect_to) else redirect_to), 200)


def page_number() -> int:
    page = request.args.get("page", 1, type=int)
    return page if page and 0 < page < 100_000 else 1


def form_page(
    template: str,
    form,
    call: Callable[[], object],
    success: str | Callable[[object], str] | None,
    redirect_to: str | Callable[[object], str],
    *,
    aliases: dict[str, str] | None = None,
    **context,
):
    """A page with one form: GET shows it; POST saves it (`save`) and redirects, or shows it again with
    the refusal and its status (422, 409, 403…)."""
    status = 200
    if request.method == "POST":
        outcome = save(form, call, success, redirect_to, aliases=aliases)
        if outcome.response:
            return outcome.response
        status = outcome.status
    return render_template(template, form=form, **context), status


def is_safe_path(target: str | None) -> bool:
    r"""A path on this site. Browsers read "\" as "/" and drop tabs and newlines, so "/\evil.example" and
    "/<tab>/evil.example" lead to another host as surely as "//evil.example"; a newline would also break
    the Location header."""
    return (
        bool(target)
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and (target.isprintable())
    )


def safe_next(default: str) -> str:
    """A same-site path from ?next= or the form's `next`, else `default`."""
    target = request.values.get("next") or ""
    return target if is_safe_path(target) else default


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
