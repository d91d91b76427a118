"""Admin pages: the security audit log (安全审计), filtered, and its CSV export."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from flask import Response, render_template, request, url_for
from flask_babel import gettext as _

from helpdesk.admin.blueprint import actors_of, bp
from helpdesk.audit.queries import security_events
from helpdesk.extensions import db
from helpdesk.i18n import local_time
from helpdesk.labels import SECURITY_KIND_LABELS
from helpdesk.pages import PER_PAGE, arg_id, page_number, query_text

# A spreadsheet runs a cell that starts with one of these as a formula (CWE-1236): such text gets a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _filters() -> tuple[dict, dict]:
    """The page's filters from the query string, and the messages for those that make no sense."""
    errors: dict[str, str] = {}
    dates: dict[str, date | None] = {}
    for name in ("from", "to"):
        raw = query_text(name, 10)
        try:
            dates[name] = date.fromisoformat(raw) if raw else None
        except ValueError:
            errors[name] = _("Not a valid date (YYYY-MM-DD).")
            dates[name] = None
    filters = {
        "kind": request.args.get("kind") or None,
        "user_id": arg_id("user_id"),
        "email": query_text("email") or None,
        "date_from": dates["from"],
        "date_to": dates["to"],
    }
    return filters, errors


@bp.get("/security-log")
def security_log():
    """Log-ins, failures, lockouts, password and token changes, user and access changes, exports."""
    filters, errors = _filters()
    page = db.paginate(security_events(**filters), page=page_number(), per_page=PER_PAGE, error_out=False)
    return render_template(
        "admin/security_log.html",
        page=page,
        actors=actors_of(page.items),
        kinds=SECURITY_KIND_LABELS,
        errors=errors,
        csv_url=url_for("admin.security_log_csv", **request.args.to_dict()),
    )


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@bp.get("/security-log.csv")
def security_log_csv():
    """The filtered log as CSV (UTF-8 with a BOM, for spreadsheets), newest first. Written out before it is
    sent: the rows come from this request's database session."""
    filters, _errors = _filters()
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(["id", "at", "kind", "user_id", "email", "actor_id", "ip", "user_agent", "detail"])
    for event in db.session.scalars(security_events(**filters).execution_options(yield_per=1000)):
        writer.writerow(
            _cell(v)
            for v in (
                event.id,
                local_time(event.at, "%Y-%m-%d %H:%M:%S"),
                event.kind,
                event.user_id,
                event.email,
                event.actor_id,
                event.ip,
                event.user_agent,
                json.dumps(event.detail, ensure_ascii=False) if event.detail else "",
            )
        )
    headers = {"Content-Disposition": 'attachment; filename="security-log.csv"'}
    return Response(buffer.getvalue(), mimetype="text/csv", headers=headers)
