"""Admin pages: enterprises (register, edit, pair with a cadre, import from CSV)."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from helpdesk.admin.blueprint import bp, get_or_404, jurisdictions
from helpdesk.auth.models import Role, User
from helpdesk.enterprises.forms import EnterpriseForm, ImportForm, PairForm, county_choices
from helpdesk.enterprises.models import Enterprise
from helpdesk.enterprises.queries import search_enterprises
from helpdesk.enterprises.services import create_enterprise, import_enterprises_csv, pair_enterprise, update_enterprise
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Department
from helpdesk.jurisdictions.queries import ancestors
from helpdesk.pages import PER_PAGE, display_name, form_page, grouped_options, page_number, save


@bp.get("/enterprises")
def enterprises():
    page = db.paginate(
        search_enterprises(select(Enterprise), request.args), page=page_number(), per_page=PER_PAGE, error_out=False
    )
    counties = [j for j in jurisdictions() if j.level == "county"]
    return render_template("admin/enterprises.html", page=page, counties=counties)


@bp.route("/enterprises/new", methods=["GET", "POST"])
def enterprise_new():
    form = EnterpriseForm()
    form.jurisdiction_id.choices = county_choices(current_user)
    return form_page(
        "enterprises/form.html",
        form,
        lambda: create_enterprise(current_user, form.values()),
        _("Enterprise registered."),
        lambda e: url_for("admin.enterprise_edit", enterprise_id=e.id),
        enterprise=None,
        action=url_for("admin.enterprise_new"),
    )


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


@bp.route("/enterprises/<int:enterprise_id>", methods=["GET", "POST"])
def enterprise_edit(enterprise_id: int):
    enterprise = get_or_404(Enterprise, enterprise_id)
    form = EnterpriseForm(obj=enterprise)
    form.jurisdiction_id.choices = county_choices(current_user)
    pair_form = PairForm(formdata=None, liaison_id=enterprise.liaison_id)
    pair_form.liaison_id.choices = _liaison_choices(enterprise)
    return form_page(
        "admin/enterprise_edit.html",
        form,
        lambda: update_enterprise(current_user, enterprise, form.values()),
        _("Saved."),
        url_for("admin.enterprise_edit", enterprise_id=enterprise.id),
        enterprise=enterprise,
        pair_form=pair_form,
    )


@bp.post("/enterprises/<int:enterprise_id>/pair")
def enterprise_pair(enterprise_id: int):
    """Pair the company with a cadre (包联); the liaison follows its tickets from now on."""
    enterprise = get_or_404(Enterprise, enterprise_id)
    pair_form = PairForm()
    pair_form.liaison_id.choices = _liaison_choices(enterprise)
    outcome = save(
        pair_form,
        lambda: pair_enterprise(current_user, enterprise, pair_form.liaison_id.data),
        _("Pairing saved."),
        url_for("admin.enterprise_edit", enterprise_id=enterprise.id),
    )
    if outcome.response:
        return outcome.response
    form = EnterpriseForm(obj=enterprise, formdata=None)
    form.jurisdiction_id.choices = county_choices(current_user)
    return render_template(
        "admin/enterprise_edit.html", enterprise=enterprise, form=form, pair_form=pair_form
    ), outcome.status


@bp.route("/enterprises/import", methods=["GET", "POST"])
def enterprise_import():
    """CSV import: every bad row is listed and nothing is imported while any row is bad."""
    form = ImportForm()
    status = 200
    if request.method == "POST":
        outcome = save(
            form,
            lambda: import_enterprises_csv(current_user, form.file.data.read()),
            lambda result: _("%(count)s enterprises imported.", count=len(result.created)),
            url_for("admin.enterprises"),
        )
        if outcome.response:
            return outcome.response
        status = outcome.status
        errors = getattr(outcome.error, "rows", [])
    else:
        errors = []
    return render_template("admin/enterprise_import.html", form=form, errors=errors), status
