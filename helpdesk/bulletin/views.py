"""The bulletin download of the dashboard (supervisors, admins): a month and a format, then the file."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, request
from flask_login import current_user

from helpdesk.bulletin import texts
from helpdesk.bulletin.services import (
    BULLETIN_ROLES,
    FORMATS,
    MIMETYPES,
    build_bulletin,
    bulletin_file,
    month_key,
    parse_month,
)
from helpdesk.calendar.workdays import local_date
from helpdesk.db import utcnow
from helpdesk.errors import DomainError
from helpdesk.pages import arg_id, error_status, role_required, ui_locale
from helpdesk.reports.dashboard import month_start

bp = Blueprint("bulletin", __name__)
MONTHS_OFFERED = 13  # this month so far, and the twelve before it


@bp.get("/dashboard/bulletin")
@role_required(*(role.value for role in BULLETIN_ROLES))
def download():
    """The bulletin of ?month= (the last full month by default) for ?jurisdiction_id=, as ?format=docx|xlsx."""
    fmt = request.args.get("format", "docx")
    if fmt not in FORMATS:
        abort(404)
    now = utcnow()
    try:
        month = parse_month(request.args.get("month") or None, local_date(now))
        bulletin = build_bulletin(
            current_user, month=month, jurisdiction_id=arg_id("jurisdiction_id"), as_of=now, locale=ui_locale()
        )
    except DomainError as exc:
        abort(error_status(exc), description=exc.localized())
    headers = {
        "Content-Disposition": f'attachment; filename="{bulletin.file_name(fmt)}"',
        "Cache-Control": "private, no-store",
    }
    return Response(bulletin_file(bulletin, fmt), mimetype=MIMETYPES[fmt], headers=headers)


def bulletin_months(today: date | None = None) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of the months offered, newest first; the last full month is selected."""
    today = today or local_date(utcnow())
    locale = ui_locale()
    months = [month_start(today, back) for back in range(MONTHS_OFFERED)]
    return [(month_key(m), texts.month_text(m, locale), back == 1) for back, m in enumerate(months)]


@bp.app_context_processor
def bulletin_helpers():
    return {"bulletin_months": bulletin_months}
