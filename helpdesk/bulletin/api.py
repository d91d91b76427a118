"""API: the monthly 通报 of a jurisdiction as a DOCX document or an XLSX workbook (issue 15)."""

from __future__ import annotations

from flask import Response

from helpdesk.api.auth import current_user, roles_allowed
from helpdesk.api.common import ApiBlueprint
from helpdesk.api.openapi import errors
from helpdesk.bulletin.schemas import BulletinQuerySchema
from helpdesk.bulletin.services import (
    BULLETIN_REFUSED,
    BULLETIN_ROLES,
    DOCX,
    MIMETYPES,
    XLSX,
    build_bulletin,
    bulletin_file,
    parse_month,
)
from helpdesk.calendar.workdays import local_date
from helpdesk.db import utcnow

blp = ApiBlueprint("api_bulletin", __name__, url_prefix="/api/v1", description="The monthly bulletin (通报).")

DESCRIPTION = "The bulletin in your language: a DOCX document (format=docx, the default) or an XLSX workbook."
BINARY = {"type": "string", "format": "binary"}


@blp.route("/reports/bulletin", methods=["GET"])
@roles_allowed(*BULLETIN_ROLES, message=BULLETIN_REFUSED)
@errors(403, descriptions={403: "A jurisdiction outside yours."})
@blp.arguments(BulletinQuerySchema, location="query")
@blp.response(200, BINARY, description=DESCRIPTION, content_type=DOCX)
@blp.alt_response(200, schema=BINARY, description=DESCRIPTION, content_type=XLSX, success=True)
def bulletin(args):
    """A jurisdiction's monthly bulletin (通报): headline figures against the target, league tables of counties
    and departments with rank changes, laggards, red tickets. Supervisors for their subtree, admins for all."""
    user = current_user()
    now = utcnow()
    month = parse_month(args.get("month"), local_date(now))
    report = build_bulletin(
        user, month=month, jurisdiction_id=args.get("jurisdiction_id"), as_of=now, locale=user.locale
    )
    fmt = args["format"]
    response = Response(bulletin_file(report, fmt), mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{report.file_name(fmt)}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
