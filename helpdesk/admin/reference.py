"""Admin pages: reference data — departments, categories and their deadlines, routing rules."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select

from helpdesk.admin.blueprint import bp, department_choices, get_or_404, jurisdiction_choices, jurisdictions
from helpdesk.admin.forms import CategoryForm, DepartmentForm, RoutingRuleEditForm, RoutingRuleForm
from helpdesk.auth.models import Role, User
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Category, Department, Jurisdiction, RoutingRule
from helpdesk.jurisdictions.queries import ancestors
from helpdesk.jurisdictions.services import (
    create_category,
    create_department,
    create_routing_rule,
    delete_routing_rule,
    update_category,
    update_department,
    update_routing_rule,
)
from helpdesk.pages import arg_id, display_name, form_page, options, page_number, query_text, save


@bp.get("/departments")
def departments():
    query = select(Department).join(Jurisdiction).order_by(Jurisdiction.code, Department.id)
    jurisdiction_id = arg_id("jurisdiction_id")
    if jurisdiction_id:
        query = query.where(Department.jurisdiction_id == jurisdiction_id)
    q = query_text()
    if q:
        query = query.where(
            or_(Department.name.ilike(f"%{q}%"), Department.name_en.ilike(f"%{q}%"), Department.code.ilike(f"%{q}%"))
        )
    page = db.paginate(query, page=page_number(), per_page=50, error_out=False)
    cadres = dict(
        db.session.execute(
            select(User.department_id, func.count())
            .where(User.role == Role.CADRE.value, User.active.is_(True))
            .group_by(User.department_id)
        ).all()
    )
    return render_template("admin/departments.html", page=page, jurisdictions=jurisdictions(), cadres=cadres)


def _department_values(form: DepartmentForm, department: Department | None = None) -> dict:
    jurisdiction_id = department.jurisdiction_id if department else form.jurisdiction_id.data
    return {
        "jurisdiction_id": jurisdiction_id,
        "code": form.code.data,
        "name": form.name.data,
        "name_en": form.name_en.data,
        "short_name": form.short_name.data,
        "short_name_en": form.short_name_en.data,
        "is_default": form.is_default.data,
    }


@bp.route("/departments/new", methods=["GET", "POST"])
def department_new():
    form = DepartmentForm()
    form.jurisdiction_id.choices = jurisdiction_choices()
    return form_page(
        "admin/department_form.html",
        form,
        lambda: create_department(current_user, _department_values(form)),
        _("Department created."),
        url_for("admin.departments"),
        department=None,
    )


@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
def department_edit(department_id: int):
    department = get_or_404(Department, department_id)
    form = DepartmentForm(obj=department)
    del form.jurisdiction_id  # a department stays where it is: tickets and rules point at it
    return form_page(
        "admin/department_form.html",
        form,
        lambda: update_department(current_user, department, _department_values(form, department)),
        _("Saved."),
        url_for("admin.departments", jurisdiction_id=department.jurisdiction_id),
        department=department,
    )


# -- categories ------------------------------------------------------------------------------------


@bp.get("/categories")
def categories():
    rows = list(db.session.scalars(select(Category).order_by(Category.position, Category.id)))
    return render_template("admin/categories.html", categories=rows)


def _category_values(form: CategoryForm) -> dict:
    return {
        name: getattr(form, name).data
        for name in ("code", "name", "name_en", "help", "help_en", "response_days", "resolution_days", "position")
    }


@bp.route("/categories/new", methods=["GET", "POST"])
def category_new():
    form = CategoryForm()
    return form_page(
        "admin/category_form.html",
        form,
        lambda: create_category(current_user, _category_values(form)),
        _("Category created."),
        url_for("admin.categories"),
        category=None,
    )


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
def category_edit(category_id: int):
    category = get_or_404(Category, category_id)
    form = CategoryForm(obj=category)
    form.code.data = category.code  # the code never changes: tickets and the API refer to it
    return form_page(
        "admin/category_form.html",
        form,
        lambda: update_category(current_user, category, _category_values(form)),
        _("Saved. The new limits apply to issues filed from now on."),
        url_for("admin.categories"),
        category=category,
    )


# -- routing rules ---------------------------------------------------------------------------------


@bp.get("/routing-rules")
def routing_rules():
    query = (
        select(RoutingRule)
        .join(Jurisdiction, Jurisdiction.id == RoutingRule.jurisdiction_id)
        .join(Category, Category.id == RoutingRule.category_id)
        .order_by(Jurisdiction.code, Category.position, RoutingRule.id)
    )
    jurisdiction_id = arg_id("jurisdiction_id")
    if jurisdiction_id:
        query = query.where(RoutingRule.jurisdiction_id == jurisdiction_id)
    category_id = arg_id("category_id")
    if category_id:
        query = query.where(RoutingRule.category_id == category_id)
    page = db.paginate(query, page=page_number(), per_page=50, error_out=False)
    cats = list(db.session.scalars(select(Category).order_by(Category.position)))
    return render_template(
        "admin/routing_rules.html", page=page, jurisdictions=jurisdictions(), categories=cats, delete_form=FlaskForm()
    )


@bp.route("/routing-rules/new", methods=["GET", "POST"])
def routing_rule_new():
    form = RoutingRuleForm()
    form.category_id.choices = options(
        [("", _("Choose…"))]
        + [(c.id, display_name(c)) for c in db.session.scalars(select(Category).order_by(Category.position))]
    )
    form.jurisdiction_id.choices = jurisdiction_choices()
    form.department_id.choices = department_choices()
    values = {name: getattr(form, name).data for name in ("category_id", "jurisdiction_id", "department_id")}
    return form_page(
        "admin/routing_rule_form.html",
        form,
        lambda: create_routing_rule(current_user, values),
        _("Routing rule created."),
        lambda rule: url_for("admin.routing_rules", jurisdiction_id=rule.jurisdiction_id),
        rule=None,
    )


@bp.route("/routing-rules/<int:rule_id>", methods=["GET", "POST"])
def routing_rule_edit(rule_id: int):
    rule = get_or_404(RoutingRule, rule_id)
    form = RoutingRuleEditForm(obj=rule)
    form.department_id.choices = department_choices([node.id for node in ancestors(rule.jurisdiction)])
    return form_page(
        "admin/routing_rule_form.html",
        form,
        lambda: update_routing_rule(current_user, rule, form.department_id.data),
        _("Saved."),
        url_for("admin.routing_rules", jurisdiction_id=rule.jurisdiction_id),
        rule=rule,
    )


@bp.post("/routing-rules/<int:rule_id>/delete")
def routing_rule_delete(rule_id: int):
    rule = get_or_404(RoutingRule, rule_id)
    jurisdiction_id = rule.jurisdiction_id
    outcome = save(
        FlaskForm(),
        lambda: delete_routing_rule(current_user, rule),
        _("Routing rule deleted."),
        url_for("admin.routing_rules", jurisdiction_id=jurisdiction_id),
    )
    return outcome.response or redirect(url_for("admin.routing_rules"))
