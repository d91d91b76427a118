"""Admin pages: users (create, edit, reset a password, deactivate and reactivate, unlock)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import or_, select

from helpdesk.admin.blueprint import bp, department_choices, get_or_404, jurisdiction_choices, jurisdictions
from helpdesk.admin.forms import PasswordResetForm, UserCreateForm, UserEditForm
from helpdesk.auth.logins import unlock_user
from helpdesk.auth.models import Role, User
from helpdesk.auth.services import create_user_as_admin, reset_password, set_user_active, update_user
from helpdesk.db import utcnow
from helpdesk.enterprises.models import Enterprise
from helpdesk.errors import ValidationFailed
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Department
from helpdesk.pages import PER_PAGE, arg_id, form_page, page_number, query_text, save


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
    return render_template("admin/users.html", page=page, jurisdictions=jurisdictions())


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = UserCreateForm()
    form.department_id.choices = department_choices()
    form.jurisdiction_id.choices = jurisdiction_choices()

    def call():
        enterprise_id = None
        if form.role.data == Role.ENTERPRISE.value:
            code = (form.credit_code.data or "").strip().upper()
            enterprise = db.session.scalar(select(Enterprise).where(Enterprise.credit_code == code))
            if enterprise is None:
                raise ValidationFailed("No enterprise has this credit code.", field="credit_code")
            enterprise_id = enterprise.id
        return create_user_as_admin(
            current_user,
            email=form.email.data,
            name=form.name.data,
            password=form.password.data,
            role=form.role.data,
            enterprise_id=enterprise_id,
            department_id=form.department_id.data,
            jurisdiction_id=form.jurisdiction_id.data,
            locale=form.locale.data,
            mobile=form.mobile.data,
            temporary_password=form.temporary_password.data,
        )

    return form_page(
        "admin/user_new.html",
        form,
        call,
        _("User created."),
        lambda user: url_for("admin.user_edit", user_id=user.id),
        aliases={"enterprise_id": "credit_code"},
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    user = get_or_404(User, user_id)
    form = UserEditForm(obj=user)
    form.department_id.choices = department_choices()

    def call():
        values = {"name": form.name.data, "locale": form.locale.data, "mobile": form.mobile.data}
        if user.role == Role.CADRE:
            values["department_id"] = form.department_id.data
            values["away_until"] = form.away_until.data
        return update_user(current_user, user, values)

    return form_page(
        "admin/user_edit.html",
        form,
        call,
        _("Saved."),
        url_for("admin.user_edit", user_id=user.id),
        user=user,
        password_form=PasswordResetForm(formdata=None),
        active_form=FlaskForm(),
        now=utcnow(),
    )


@bp.post("/users/<int:user_id>/password")
def user_password(user_id: int):
    user = get_or_404(User, user_id)
    form = PasswordResetForm()
    outcome = save(
        form,
        lambda: reset_password(current_user, user, form.password.data, temporary=form.temporary_password.data),
        _("The password of %(email)s has been reset.", email=user.email),
        url_for("admin.user_edit", user_id=user.id),
    )
    if outcome.response:
        return outcome.response
    status = outcome.status
    edit_form = UserEditForm(obj=user, formdata=None)
    edit_form.department_id.choices = department_choices()
    return render_template(
        "admin/user_edit.html", user=user, form=edit_form, password_form=form, active_form=FlaskForm(), now=utcnow()
    ), status


@bp.post("/users/<int:user_id>/active")
def user_active(user_id: int):
    """Deactivate an active user, or reactivate an inactive one."""
    user = get_or_404(User, user_id)
    form = FlaskForm()
    activate = not user.active
    message = _("User reactivated.") if activate else _("User deactivated: they can no longer log in.")
    return _act_on_user(form, user, lambda: set_user_active(current_user, user, activate), message)


def _act_on_user(form: FlaskForm, user: User, act, message: str):
    """A button of the user's page: do it and go back to the page, with the outcome or the errors flashed."""
    outcome = save(form, act, message, url_for("admin.user_edit", user_id=user.id))
    if outcome.response:
        return outcome.response
    for error in form.form_errors + [e for f in form for e in f.errors]:
        flash(error, "danger")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.post("/users/<int:user_id>/unlock")
def user_unlock(user_id: int):
    """Unlock an account locked after failed logins (security-logged and audited)."""
    user = get_or_404(User, user_id)
    form = FlaskForm()
    return _act_on_user(
        form,
        user,
        lambda: unlock_user(current_user, user, utcnow()),
        _("The account of %(email)s is unlocked.", email=user.email),
    )
