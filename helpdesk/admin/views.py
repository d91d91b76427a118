"""Admin pages (under /admin): users, enterprises, departments, categories, routing rules, holiday
overrides and the audit log. Every change goes through a service that writes the audit log."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select

from helpdesk.admin import services
from helpdesk.admin.forms import (
    CategoryForm,
    DepartmentForm,
    HolidayForm,
    PasswordResetForm,
    RoutingRuleEditForm,
    RoutingRuleForm,
    UserCreateForm,
    UserEditForm,
)
from helpdesk.admin.models import AdminAuditLog
from helpdesk.auth.models import Role, User
from helpdesk.auth.services import update_user
from helpdesk.calendar.models import HolidayOverride
from helpdesk.calendar.service import get_calendar
from helpdesk.calendar.workdays import local_date, unknown_years
from helpdesk.db import utcnow
from helpdesk.enterprises.forms import EnterpriseForm, ImportForm, PairForm
from helpdesk.enterprises.models import Enterprise
from helpdesk.enterprises.services import create_enterprise, import_enterprises_csv, pair_enterprise, update_enterprise
from helpdesk.enterprises.views import county_choices, search_enterprises
from helpdesk.errors import DomainError
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Category, Department, Jurisdiction, RoutingRule
from helpdesk.jurisdictions.queries import ancestors
from helpdesk.main.pages import (
    PER_PAGE,
    arg_id,
    attach_error,
    check_id,
    display_name,
    error_status,
    grouped_options,
    options,
    page_number,
    query_text,
    role_required,
)
from helpdesk.tickets.models import Ticket

bp = Blueprint("admin", __name__)
ADMIN = Role.ADMIN.value
AUDITED = ("user", "enterprise", "department", "category", "routing_rule", "holiday_override")


@bp.before_request
@role_required(ADMIN)
def _admins_only():
    """Every page here is for admins (403 for the other roles, login first for strangers)."""


def _get(model, object_id: int):
    obj = db.session.get(model, check_id(object_id))
    if obj is None:
        abort(404)
    return obj


def _save(form, call, success: str, redirect_to, aliases=None):
    """Run one service call for a valid form, commit and redirect; or return the status to render with."""
    if not form.validate_on_submit():
        return None, 422
    try:
        result = call()
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        attach_error(form, exc, aliases)
        return None, error_status(exc)
    flash(success, "success")
    target = redirect_to(result) if callable(redirect_to) else redirect_to
    return redirect(target), 200


def _jurisdictions() -> list[Jurisdiction]:
    return list(db.session.scalars(select(Jurisdiction).order_by(Jurisdiction.code)))


def _jurisdiction_choices(blank: bool = True) -> list:
    return options(([("", _("Choose…"))] if blank else []) + [(j.id, display_name(j)) for j in _jurisdictions()])


def _department_choices(jurisdiction_ids: list[int] | None = None) -> list:
    """Departments grouped by jurisdiction, for selects."""
    query = select(Department).join(Jurisdiction).order_by(Jurisdiction.code, Department.id)
    if jurisdiction_ids is not None:
        query = query.where(Department.jurisdiction_id.in_(jurisdiction_ids))
    groups: dict[str, list] = {"": [("", _("Choose…"))]}
    for department in db.session.scalars(query):
        groups.setdefault(display_name(department.jurisdiction), []).append((department.id, display_name(department)))
    return grouped_options(groups)


def _calendar_warning() -> list[int]:
    """Years around today that neither the holiday package nor an override covers."""
    this_year = local_date(utcnow()).year
    return unknown_years(get_calendar(), range(this_year - 1, this_year + 2))


# -- overview --------------------------------------------------------------------------------------


@bp.get("/")
def index():
    counts = {
        "users": db.session.scalar(select(func.count()).select_from(User)),
        "enterprises": db.session.scalar(select(func.count()).select_from(Enterprise)),
        "departments": db.session.scalar(select(func.count()).select_from(Department)),
        "categories": db.session.scalar(select(func.count()).select_from(Category)),
        "routing_rules": db.session.scalar(select(func.count()).select_from(RoutingRule)),
        "holidays": db.session.scalar(select(func.count()).select_from(HolidayOverride)),
        "tickets": db.session.scalar(select(func.count()).select_from(Ticket)),
    }
    recent = list(db.session.scalars(select(AdminAuditLog).order_by(AdminAuditLog.id.desc()).limit(8)))
    actors = _actors(recent)
    return render_template("admin/index.html", counts=counts, unknown=_calendar_warning(), recent=recent, actors=actors)


# -- users -----------------------------------------------------------------------------------------


@bp.get("/users")
def users():
    query = select(User)
    role = request.args.get("role", "")
    if role in {r.value for r in Role}:
        query = query.where(User.role == role)
    active = request.args.get("active", "")
    if active in ("1", "0"):
        query = query.where(User.active.is_(active == "1"))
    q = query_text()
    if q:
        query = query.where(or_(User.email.ilike(f"%{q}%"), User.name.ilike(f"%{q}%")))
    department_id = arg_id("department_id")
    if department_id:
        query = query.where(User.department_id == department_id)
    jurisdiction_id = arg_id("jurisdiction_id")
    if jurisdiction_id:
        in_jurisdiction = select(Department.id).where(Department.jurisdiction_id == jurisdiction_id)
        query = query.where(or_(User.jurisdiction_id == jurisdiction_id, User.department_id.in_(in_jurisdiction)))
    page = db.paginate(query.order_by(User.id), page=page_number(), per_page=PER_PAGE, error_out=False)
    return render_template("admin/users.html", page=page, jurisdictions=_jurisdictions())


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = UserCreateForm()
    form.department_id.choices = _department_choices()
    form.jurisdiction_id.choices = _jurisdiction_choices()
    status = 200
    if request.method == "POST":

        def call():
            enterprise_id = None
            if form.role.data == Role.ENTERPRISE.value:
                code = (form.credit_code.data or "").strip().upper()
                enterprise = db.session.scalar(select(Enterprise).where(Enterprise.credit_code == code))
                if enterprise is None:
                    from helpdesk.errors import ValidationFailed

                    raise ValidationFailed(_("No enterprise has this credit code."), field="credit_code")
                enterprise_id = enterprise.id
            return services.create_user_as_admin(
                current_user,
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                role=form.role.data,
                enterprise_id=enterprise_id,
                department_id=form.department_id.data,
                jurisdiction_id=form.jurisdiction_id.data,
                locale=form.locale.data,
            )

        response, status = _save(
            form,
            call,
            _("User created."),
            lambda user: url_for("admin.user_edit", user_id=user.id),
            aliases={"enterprise_id": "credit_code"},
        )
        if response is not None:
            return response
    return render_template("admin/user_new.html", form=form), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    user = _get(User, user_id)
    form = UserEditForm(obj=user)
    form.department_id.choices = _department_choices()
    status = 200
    if request.method == "POST":

        def call():
            values = {"name": form.name.data, "locale": form.locale.data}
            if user.role == Role.CADRE:
                values["department_id"] = form.department_id.data
                values["away_until"] = form.away_until.data
            return update_user(current_user, user, values)

        response, status = _save(form, call, _("Saved."), url_for("admin.user_edit", user_id=user.id))
        if response is not None:
            return response
    return render_template(
        "admin/user_edit.html",
        user=user,
        form=form,
        password_form=PasswordResetForm(formdata=None),
        active_form=FlaskForm(),
    ), status


@bp.post("/users/<int:user_id>/password")
def user_password(user_id: int):
    user = _get(User, user_id)
    form = PasswordResetForm()
    response, status = _save(
        form,
        lambda: services.reset_password(current_user, user, form.password.data),
        _("The password of %(email)s has been reset.", email=user.email),
        url_for("admin.user_edit", user_id=user.id),
    )
    if response is not None:
        return response
    edit_form = UserEditForm(obj=user, formdata=None)
    edit_form.department_id.choices = _department_choices()
    return render_template(
        "admin/user_edit.html", user=user, form=edit_form, password_form=form, active_form=FlaskForm()
    ), status


@bp.post("/users/<int:user_id>/active")
def user_active(user_id: int):
    """Deactivate an active user, or reactivate an inactive one."""
    user = _get(User, user_id)
    form = FlaskForm()
    activate = not user.active
    message = _("User reactivated.") if activate else _("User deactivated: they can no longer log in.")
    response, status = _save(
        form,
        lambda: services.set_user_active(current_user, user, activate),
        message,
        url_for("admin.user_edit", user_id=user.id),
    )
    if response is not None:
        return response
    for error in form.form_errors + [e for f in form for e in f.errors]:
        flash(error, "danger")
    return redirect(url_for("admin.user_edit", user_id=user.id))


# -- enterprises -----------------------------------------------------------------------------------


@bp.get("/enterprises")
def enterprises():
    page = db.paginate(search_enterprises(select(Enterprise)), page=page_number(), per_page=PER_PAGE, error_out=False)
    counties = [j for j in _jurisdictions() if j.level == "county"]
    return render_template("admin/enterprises.html", page=page, counties=counties)


@bp.route("/enterprises/new", methods=["GET", "POST"])
def enterprise_new():
    form = EnterpriseForm()
    form.jurisdiction_id.choices = county_choices(current_user)
    status = 200
    if request.method == "POST":
        response, status = _save(
            form,
            lambda: create_enterprise(current_user, form.values()),
            _("Enterprise registered."),
            lambda e: url_for("admin.enterprise_edit", enterprise_id=e.id),
        )
        if response is not None:
            return response
    return render_template(
        "enterprises/form.html", form=form, enterprise=None, action=url_for("admin.enterprise_new")
    ), status


def _liaison_choices(enterprise: Enterprise) -> list:
    """Active cadres who can be the company's liaison: those of its county and the levels above."""
    ids = [node.id for node in ancestors(enterprise.jurisdiction)]
    query = (
        select(User, Department)
        .join(Department, Department.id == User.department_id)
        .where(User.role == Role.CADRE.value, User.active.is_(True), Department.jurisdiction_id.in_(ids))
        .order_by(Department.jurisdiction_id.desc(), Department.id, User.name)
    )
    groups: dict[str, list] = {"": [("", _("No liaison"))]}
    for cadre, department in db.session.execute(query):
        groups.setdefault(display_name(department), []).append((cadre.id, f"{cadre.name} <{cadre.email}>"))
    if enterprise.liaison is not None and all(
        enterprise.liaison_id != value for options in groups.values() for value, _label in options
    ):
        groups[""].append((enterprise.liaison_id, enterprise.liaison.name))
    return grouped_options(groups)


def _enterprise_page(enterprise, form, pair_form, status):
    return render_template("admin/enterprise_edit.html", enterprise=enterprise, form=form, pair_form=pair_form), status


@bp.route("/enterprises/<int:enterprise_id>", methods=["GET", "POST"])
def enterprise_edit(enterprise_id: int):
    enterprise = _get(Enterprise, enterprise_id)
    form = EnterpriseForm(obj=enterprise)
    form.jurisdiction_id.choices = county_choices(current_user)
    pair_form = PairForm(formdata=None, liaison_id=enterprise.liaison_id)
    pair_form.liaison_id.choices = _liaison_choices(enterprise)
    status = 200
    if request.method == "POST":
        response, status = _save(
            form,
            lambda: update_enterprise(current_user, enterprise, form.values()),
            _("Saved."),
            url_for("admin.enterprise_edit", enterprise_id=enterprise.id),
        )
        if response is not None:
            return response
    return _enterprise_page(enterprise, form, pair_form, status)


@bp.post("/enterprises/<int:enterprise_id>/pair")
def enterprise_pair(enterprise_id: int):
    """Pair the company with a cadre (包联); the liaison follows its tickets from now on."""
    enterprise = _get(Enterprise, enterprise_id)
    pair_form = PairForm()
    pair_form.liaison_id.choices = _liaison_choices(enterprise)
    response, status = _save(
        pair_form,
        lambda: pair_enterprise(current_user, enterprise, pair_form.liaison_id.data),
        _("Pairing saved."),
        url_for("admin.enterprise_edit", enterprise_id=enterprise.id),
    )
    if response is not None:
        return response
    form = EnterpriseForm(obj=enterprise, formdata=None)
    form.jurisdiction_id.choices = county_choices(current_user)
    return _enterprise_page(enterprise, form, pair_form, status)


@bp.route("/enterprises/import", methods=["GET", "POST"])
def enterprise_import():
    """CSV import: every bad row is listed and nothing is imported while any row is bad."""
    form = ImportForm()
    errors, status = [], 200
    if request.method == "POST":
        if form.validate_on_submit():
            data = form.file.data.read()
            try:
                result = import_enterprises_csv(current_user, data)
            except DomainError as exc:
                db.session.rollback()
                attach_error(form, exc, {"file": "file"})
                return render_template("admin/enterprise_import.html", form=form, errors=[]), error_status(exc)
            if result.ok:
                db.session.commit()
                flash(_("%(count)s enterprises imported.", count=len(result.created)), "success")
                return redirect(url_for("admin.enterprises"))
            db.session.rollback()
            errors, status = result.errors, 422
            form.file.errors.append(_("Nothing was imported: correct the rows below and import the file again."))
        else:
            status = 422
    return render_template("admin/enterprise_import.html", form=form, errors=errors), status


# -- departments -----------------------------------------------------------------------------------


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
    return render_template("admin/departments.html", page=page, jurisdictions=_jurisdictions(), cadres=cadres)


def _department_values(form: DepartmentForm, department: Department | None = None) -> dict:
    jurisdiction_id = department.jurisdiction_id if department else form.jurisdiction_id.data
    return {
        "jurisdiction_id": jurisdiction_id,
        "code": form.code.data,
        "name": form.name.data,
        "name_en": form.name_en.data,
        "is_default": form.is_default.data,
    }


@bp.route("/departments/new", methods=["GET", "POST"])
def department_new():
    form = DepartmentForm()
    form.jurisdiction_id.choices = _jurisdiction_choices()
    status = 200
    if request.method == "POST":
        response, status = _save(
            form,
            lambda: services.create_department(current_user, _department_values(form)),
            _("Department created."),
            url_for("admin.departments"),
        )
        if response is not None:
            return response
    return render_template("admin/department_form.html", form=form, department=None), status


@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
def department_edit(department_id: int):
    department = _get(Department, department_id)
    form = DepartmentForm(obj=department)
    del form.jurisdiction_id  # a department stays where it is: tickets and rules point at it
    status = 200
    if request.method == "POST":
        response, status = _save(
            form,
            lambda: services.update_department(current_user, department, _department_values(form, department)),
            _("Saved."),
            url_for("admin.departments", jurisdiction_id=department.jurisdiction_id),
        )
        if response is not None:
            return response
    return render_template("admin/department_form.html", form=form, department=department), status


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
    status = 200
    if request.method == "POST":
        response, status = _save(
            form,
            lambda: services.create_category(current_user, _category_values(form)),
            _("Category created."),
            url_for("admin.categories"),
        )
        if response is not None:
            return response
    return render_template("admin/category_form.html", form=form, category=None), status


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
def category_edit(category_id: int):
    category = _get(Category, category_id)
    form = CategoryForm(obj=category)
    form.code.data = category.code  # the code never changes: tickets and the API refer to it
    status = 200
    if request.method == "POST":
        response, status = _save(
            form,
            lambda: services.update_category(current_user, category, _category_values(form)),
            _("Saved. The new limits apply to issues filed from now on."),
            url_for("admin.categories"),
        )
        if response is not None:
            return response
    return render_template("admin/category_form.html", form=form, category=category), status


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
        "admin/routing_rules.html", page=page, jurisdictions=_jurisdictions(), categories=cats, delete_form=FlaskForm()
    )


@bp.route("/routing-rules/new", methods=["GET", "POST"])
def routing_rule_new():
    form = RoutingRuleForm()
    form.category_id.choices = options(
        [("", _("Choose…"))]
        + [(c.id, display_name(c)) for c in db.session.scalars(select(Category).order_by(Category.position))]
    )
    form.jurisdiction_id.choices = _jurisdiction_choices()
    form.department_id.choices = _department_choices()
    status = 200
    if request.method == "POST":
        values = {
            "category_id": form.category_id.data,
            "jurisdiction_id": form.jurisdiction_id.data,
            "department_id": form.department_id.data,
        }
        response, status = _save(
            form,
            lambda: services.create_routing_rule(current_user, values),
            _("Routing rule created."),
            lambda rule: url_for("admin.routing_rules", jurisdiction_id=rule.jurisdiction_id),
        )
        if response is not None:
            return response
    return render_template("admin/routing_rule_form.html", form=form, rule=None), status


@bp.route("/routing-rules/<int:rule_id>", methods=["GET", "POST"])
def routing_rule_edit(rule_id: int):
    rule = _get(RoutingRule, rule_id)
    form = RoutingRuleEditForm(obj=rule)
    form.department_id.choices = _department_choices([node.id for node in ancestors(rule.jurisdiction)])
    status = 200
    if request.method == "POST":
        response, status = _save(
            form,
            lambda: services.update_routing_rule(current_user, rule, form.department_id.data),
            _("Saved."),
            url_for("admin.routing_rules", jurisdiction_id=rule.jurisdiction_id),
        )
        if response is not None:
            return response
    return render_template("admin/routing_rule_form.html", form=form, rule=rule), status


@bp.post("/routing-rules/<int:rule_id>/delete")
def routing_rule_delete(rule_id: int):
    rule = _get(RoutingRule, rule_id)
    jurisdiction_id = rule.jurisdiction_id
    response, _status = _save(
        FlaskForm(),
        lambda: services.delete_routing_rule(current_user, rule),
        _("Routing rule deleted."),
        url_for("admin.routing_rules", jurisdiction_id=jurisdiction_id),
    )
    return response or redirect(url_for("admin.routing_rules"))


# -- holiday overrides -----------------------------------------------------------------------------


def _holidays_page(form, status=200):
    year = arg_id("year")
    query = select(HolidayOverride).order_by(HolidayOverride.day.desc())
    if year and 2000 <= year <= 2100:
        query = query.where(HolidayOverride.day >= date(year, 1, 1), HolidayOverride.day <= date(year, 12, 31))
    page = db.paginate(query, page=page_number(), per_page=100, error_out=False)
    return render_template(
        "admin/holidays.html", page=page, form=form, unknown=_calendar_warning(), delete_form=FlaskForm()
    ), status


@bp.route("/holidays", methods=["GET", "POST"])
def holidays():
    """Overrides of the working-day calendar; changing one means deleting it and adding it again."""
    form = HolidayForm()
    if request.method == "POST":
        response, status = _save(
            form,
            lambda: services.add_holiday_override(
                current_user, form.day.data, form.is_workday.data == "1", form.note.data or ""
            ),
            _("Override added."),
            url_for("admin.holidays"),
        )
        if response is not None:
            return response
        return _holidays_page(form, status)
    return _holidays_page(form)


@bp.post("/holidays/<int:override_id>/delete")
def holiday_delete(override_id: int):
    override = _get(HolidayOverride, override_id)
    response, _status = _save(
        FlaskForm(),
        lambda: services.delete_holiday_override(current_user, override),
        _("Override deleted."),
        url_for("admin.holidays"),
    )
    return response or redirect(url_for("admin.holidays"))


# -- audit log -------------------------------------------------------------------------------------


def _actors(entries) -> dict[int, User]:
    ids = {e.actor_id for e in entries if e.actor_id}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


@bp.get("/audit")
def audit_log():
    """Who changed which record, when, from what to what."""
    query = select(AdminAuditLog).order_by(AdminAuditLog.id.desc())
    entity = request.args.get("entity", "")
    if entity in AUDITED:
        query = query.where(AdminAuditLog.entity == entity)
    entity_id = arg_id("entity_id")
    if entity_id:
        query = query.where(AdminAuditLog.entity_id == entity_id)
    page = db.paginate(query, page=page_number(), per_page=PER_PAGE, error_out=False)
    return render_template("admin/audit.html", page=page, actors=_actors(page.items), entities=AUDITED)
