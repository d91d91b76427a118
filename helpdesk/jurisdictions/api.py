"""API: reference data as plain JSON arrays (PRODUCT.md §7)."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.api.common import ApiBlueprint
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Category, Department, Jurisdiction
from helpdesk.jurisdictions.schemas import (
    CategorySchema,
    DepartmentQuerySchema,
    DepartmentSchema,
    JurisdictionSchema,
)

blp = ApiBlueprint(
    "api_reference",
    __name__,
    url_prefix="/api/v1",
    description="Reference data: categories, jurisdictions, departments.",
)


@blp.route("/categories", methods=["GET"])
@blp.response(200, CategorySchema(many=True))
def categories():
    """Issue categories with their response and resolution limits (working days)."""
    return db.session.scalars(select(Category).order_by(Category.position, Category.id))


@blp.route("/jurisdictions", methods=["GET"])
@blp.response(200, JurisdictionSchema(many=True))
def jurisdictions():
    """The jurisdiction tree, flat: province, city, county-level divisions."""
    return db.session.scalars(select(Jurisdiction).order_by(Jurisdiction.code))


@blp.route("/departments", methods=["GET"])
@blp.arguments(DepartmentQuerySchema, location="query")
@blp.response(200, DepartmentSchema(many=True))
def departments(args):
    """Departments, of one jurisdiction when `jurisdiction_id` is given."""
    query = select(Department).order_by(Department.jurisdiction_id, Department.id)
    if "jurisdiction_id" in args:
        query = query.where(Department.jurisdiction_id == args["jurisdiction_id"])
    return db.session.scalars(query)
