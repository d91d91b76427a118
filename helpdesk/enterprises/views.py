"""Enterprise pages for government users: the companies they can see, their paired ones, one company."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from helpdesk.auth.models import Role
from helpdesk.db import utcnow
from helpdesk.enterprises.forms import EnterpriseForm
from helpdesk.enterprises.models import Enterprise
from helpdesk.enterprises.services import create_enterprise
from helpdesk.errors import DomainError
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Jurisdiction, Level
from helpdesk.jurisdictions.queries import subtree_ids
from helpdesk.main.pages import (
    PER_PAGE,
    arg_id,
    attach_error,
    check_id,
    display_name,
    error_status,
    options,
    page_number,
    query_text,
    role_required,
)
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.queries import visible_enterprises, visible_tickets

bp = Blueprint("enterprises", __name__)
GOVERNMENT = (Role.CADRE.value, Role.SUPERVISOR.value, Role.ADMIN.value)


def search_enterprises(query):
    """Apply ?q= (name or credit code), ?key=1 and ?jurisdiction_id= to an enterprise select."""
    q = query_text()
    if q:
        query = query.where(or_(Enterprise.name.ilike(f"%{q}%"), Enterprise.credit_code.ilike(f"%{q}%")))
    if request.args.get("key") == "1":
        query = query.where(Enterprise.is_key.is_(True))
    jurisdiction_id = arg_id("jurisdiction_id")
    if jurisdiction_id:
        query = query.where(Enterprise.jurisdiction_id == jurisdiction_id)
    # Key enterprises (重点企业, the white list) first.
    return query.order_by(Enterprise.is_key.desc(), Enterprise.name, Enterprise.id)


def county_choices(user) -> list:
    """The county-level divisions a user may register companies in."""
    query = select(Jurisdiction).where(Jurisdiction.level == Level.COUNTY.value).order_by(Jurisdiction.code)
    if user.role == Role.SUPERVISOR:
        query = query.where(Jurisdiction.id.in_(subtree_ids(user.jurisdiction_id)))
    elif user.role == Role.CADRE:
        query = query.where(Jurisdiction.id.in_(subtree_ids(user.department.jurisdiction_id)))
    return options([("", _("Choose…"))] + [(j.id, display_name(j)) for j in db.session.scalars(query)])


@bp.get("/enterprises")
@role_required(*GOVERNMENT)
def index():
    """The enterprises the user can see; ?paired=1 for a cadre's own paired companies (包联企业)."""
    query = visible_enterprises(current_user)
    paired = request.args.get("paired") == "1"
    if paired:
        query = query.where(Enterprise.liaison_id == current_user.id)
    page = db.paginate(search_enterprises(query), page=page_number(), per_page=PER_PAGE, error_out=False)
    return render_template("enterprises/index.html", page=page, paired=paired)


@bp.get("/enterprises/<int:enterprise_id>")
@role_required(*GOVERNMENT)
def detail(enterprise_id: int):
    enterprise = db.session.scalar(visible_enterprises(current_user).where(Enterprise.id == check_id(enterprise_id)))
    if enterprise is None:
        abort(404)
    tickets = list(
        db.session.scalars(
            visible_tickets(current_user)
            .where(Ticket.enterprise_id == enterprise.id)
            .order_by(Ticket.created_at.desc())
            .limit(50)
        )
    )
    return render_template("enterprises/detail.html", enterprise=enterprise, tickets=tickets, now=utcnow())


@bp.route("/enterprises/new", methods=["GET", "POST"])
@role_required(*GOVERNMENT)
def new():
    """Register a company (cadres and supervisors within their area; admins anywhere)."""
    form = EnterpriseForm()
    form.jurisdiction_id.choices = county_choices(current_user)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                values = form.values()
                if current_user.role == Role.CADRE and request.form.get("pair_with_me"):
                    values["liaison_id"] = current_user.id
                enterprise = create_enterprise(current_user, values)
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                attach_error(form, exc)
                status = error_status(exc)
            else:
                flash(_("Enterprise %(name)s registered.", name=enterprise.name), "success")
                return redirect(url_for("enterprises.detail", enterprise_id=enterprise.id))
        else:
            status = 422
    return render_template(
        "enterprises/form.html", form=form, enterprise=None, action=url_for("enterprises.new")
    ), status
