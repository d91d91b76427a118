"""API: enterprises the caller can see, and registering new ones (PRODUCT.md §7)."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import or_

from helpdesk.api.auth import current_user, roles_allowed
from helpdesk.api.common import ApiBlueprint, paginate
from helpdesk.api.openapi import errors
from helpdesk.enterprises.models import Enterprise
from helpdesk.enterprises.queries import visible_enterprises
from helpdesk.enterprises.schemas import (
    EnterpriseCreateSchema,
    EnterprisePageSchema,
    EnterpriseQuerySchema,
    EnterpriseSchema,
)
from helpdesk.enterprises.services import GOVERNMENT, REGISTER_REFUSED, create_enterprise
from helpdesk.errors import NotFound
from helpdesk.extensions import db

blp = ApiBlueprint("api_enterprises", __name__, url_prefix="/api/v1", description="Enterprises (企业).")


@blp.route("/enterprises", methods=["GET"])
@blp.arguments(EnterpriseQuerySchema, location="query")
@blp.response(200, EnterprisePageSchema)
def list_enterprises(args):
    """Enterprises the caller can see, key enterprises (重点企业) first, then by name."""
    query = visible_enterprises(current_user()).order_by(Enterprise.is_key.desc(), Enterprise.name, Enterprise.id)
    if args.get("q"):
        text = args["q"].strip()
        query = query.where(
            or_(
                Enterprise.name.icontains(text, autoescape=True),
                Enterprise.credit_code.icontains(text, autoescape=True),
            )
        )
    return paginate(query, args["page"], args["per_page"])


@blp.route("/enterprises", methods=["POST"])
@roles_allowed(*GOVERNMENT, message=REGISTER_REFUSED)
@errors(409, descriptions={409: "An enterprise with this credit code already exists."})
@blp.arguments(EnterpriseCreateSchema)
@blp.response(201, EnterpriseSchema)
def create_enterprise_view(values):
    """Register a company (cadre, supervisor, admin): 422 on a bad credit code, 409 on a duplicate."""
    enterprise = create_enterprise(current_user(), values)
    db.session.commit()
    return enterprise, 201, {"Location": url_for("api_enterprises.get_enterprise", enterprise_id=enterprise.id)}


@blp.route("/enterprises/<id:enterprise_id>", methods=["GET"])
@blp.response(200, EnterpriseSchema)
def get_enterprise(enterprise_id):
    """One enterprise the caller can see."""
    enterprise = db.session.scalar(visible_enterprises(current_user()).where(Enterprise.id == enterprise_id))
    if enterprise is None:
        raise NotFound("No such enterprise.")
    return enterprise
