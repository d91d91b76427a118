"""Enterprise pages for government users: the companies they can see, their paired ones, one company."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from helpdesk.auth.models import Role
from helpdesk.db import utcnow
from helpdesk.enterprises.forms import EnterpriseForm, county_choices
from helpdesk.enterprises.models import Enterprise
from helpdesk.enterprises.queries import search_enterprises, visible_enterprises
from helpdesk.enterprises.services import create_enterprise
from helpdesk.extensions import db
from helpdesk.pages import PER_PAGE, check_id, form_page, page_number, role_required
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.queries import visible_tickets

bp = Blueprint("enterprises", __name__)
GOVERNMENT = (Role.CADRE.value, Role.SUPERVISOR.value, Role.ADMIN.value)


@bp.get("/enterprises")
@role_required(*GOVERNMENT)
def index():
    """The enterprises the user can see; ?paired=1 for a cadre's own paired companies (包联企业)."""
    query = visible_enterprises(current_user)
    paired = request.args.get("paired") == "1"
    if paired:
        query = query.where(Enterprise.liaison_id == current_user.id)
    page = db.paginate(search_enterprises(query, request.args), page=page_number(), per_page=PER_PAGE, error_out=False)
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

    def call():
        values = form.values()
        if current_user.role == Role.CADRE and request.form.get("pair_with_me"):
            values["liaison_id"] = current_user.id
        return create_enterprise(current_user, values)

    return form_page(
        "enterprises/form.html",
        form,
        call,
        lambda enterprise: _("Enterprise %(name)s registered.", name=enterprise.name),
        lambda enterprise: url_for("enterprises.detail", enterprise_id=enterprise.id),
        enterprise=None,
        action=url_for("enterprises.new"),
    )
