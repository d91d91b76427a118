"""API: the resolution-rate report (办结率, PRODUCT.md §6) as JSON, CSV or XLSX."""

from __future__ import annotations

from flask import Response

from helpdesk.api.auth import current_user, roles_allowed
from helpdesk.api.common import ApiBlueprint
from helpdesk.api.openapi import errors
from helpdesk.audit.models import SecurityEventKind
from helpdesk.audit.services import record_security_event
from helpdesk.extensions import db
from helpdesk.reports.dashboard import build_dashboard
from helpdesk.reports.export import XLSX_MIMETYPE as XLSX
from helpdesk.reports.export import report_csv, report_xlsx
from helpdesk.reports.schemas import DashboardSchema, ReportQuerySchema, ReportSchema, ScopeQuerySchema
from helpdesk.reports.services import REPORT_ROLES, REPORTS_REFUSED, resolution_report

blp = ApiBlueprint("api_reports", __name__, url_prefix="/api/v1", description="The resolution-rate tracker.")


def _download_name(report, extension: str) -> str:
    day = report.as_of.date().isoformat()
    return f"resolution-{report.group_by or 'overall'}-{day}.{extension}"


DESCRIPTION = (
    "The report: JSON by default, a CSV or XLSX download with format=csv or format=xlsx. Files carry the "
    "JSON field names and raw fractions (headers=machine, the default); headers=people gives the "
    "dashboard's file in the caller's language: a title row, translated headers, percentages and, in "
    "XLSX, a sheet of definitions."
)


@blp.route("/reports/resolution", methods=["GET"])
@roles_allowed(*REPORT_ROLES, message=REPORTS_REFUSED)
@errors(403, descriptions={403: "A jurisdiction or department outside your scope."})
@blp.arguments(ReportQuerySchema, location="query")
@blp.response(200, ReportSchema, description=DESCRIPTION)
@blp.alt_response(200, schema={"type": "string"}, content_type="text/csv", description=DESCRIPTION)
@blp.alt_response(200, schema={"type": "string", "format": "binary"}, content_type=XLSX, description=DESCRIPTION)
def resolution(args):
    """Completion rate against the target for your scope: supervisors their subtree, admins all, cadres their own tickets."""
    user = current_user()
    output, headers = args.pop("format"), args.pop("headers")
    report = resolution_report(user, locale=user.locale, **args)
    if output == "csv":  # streamed: no row cap; Werkzeug adds "; charset=utf-8"
        response = Response(report_csv(report, user.locale, headers=headers), mimetype="text/csv")
    elif output == "xlsx":
        response = Response(report_xlsx(report, user.locale, headers=headers), mimetype=XLSX)
    else:
        return report.as_dict()
    scope = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in args.items() if v is not None}
    record_security_event(
        SecurityEventKind.REPORT_EXPORTED, user=user, format=output, via="api", rows=len(report.rows), **scope
    )
    db.session.commit()
    response.headers["Content-Disposition"] = f'attachment; filename="{_download_name(report, output)}"'
    return response


@blp.route("/reports/dashboard", methods=["GET"])
@roles_allowed(*REPORT_ROLES, message=REPORTS_REFUSED)
@blp.arguments(ScopeQuerySchema, location="query")
@blp.response(200, DashboardSchema)
def dashboard(args):
    """What the dashboard page shows for the same scope and period: the overall figures, the three-colour
    board, league tables with score and rank, the laggards by gap, open tickets by colour, the monthly trend."""
    user = current_user()
    return build_dashboard(user, locale=user.locale, **args).as_dict()
