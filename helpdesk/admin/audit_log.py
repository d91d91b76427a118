"""Admin pages: the admin audit log (who changed which record, when, from what to what)."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import select

from helpdesk.admin.blueprint import actors_of, bp
from helpdesk.audit.models import AdminAuditLog
from helpdesk.extensions import db
from helpdesk.labels import AUDIT_ENTITY_LABELS
from helpdesk.pages import PER_PAGE, arg_id, page_number


@bp.get("/audit")
def audit_log():
    """Who changed which record, when, from what to what."""
    query = select(AdminAuditLog).order_by(AdminAuditLog.id.desc())
    entity = request.args.get("entity", "")
    if entity in AUDIT_ENTITY_LABELS:
        query = query.where(AdminAuditLog.entity == entity)
    entity_id = arg_id("entity_id")
    if entity_id:
        query = query.where(AdminAuditLog.entity_id == entity_id)
    page = db.paginate(query, page=page_number(), per_page=PER_PAGE, error_out=False)
    return render_template(
        "admin/audit.html", page=page, actors=actors_of(page.items), entities=tuple(AUDIT_ENTITY_LABELS)
    )
