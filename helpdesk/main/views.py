"""Home (each role lands on its own page), the language switch and the user's own profile."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk.auth.forms import AwayForm
from helpdesk.auth.models import Role
from helpdesk.auth.services import set_away
from helpdesk.calendar.workdays import local_date
from helpdesk.db import utcnow
from helpdesk.errors import DomainError
from helpdesk.extensions import db
from helpdesk.main.pages import attach_error, error_status

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def index():
    """The role's main page: enterprise portal, cadre workbench, supervisor dashboard, administration."""
    from helpdesk.admin.views import index as admin_index
    from helpdesk.reports.views import dashboard
    from helpdesk.tickets.views import my_issues, workbench

    pages = {
        Role.ENTERPRISE.value: my_issues,
        Role.CADRE.value: workbench,
        Role.SUPERVISOR.value: dashboard,
        Role.ADMIN.value: admin_index,
    }
    return pages[current_user.role]()


@bp.get("/language/<code>")
def set_language(code: str):
    """Switch the interface language; remembered on the user when logged in."""
    if code in ("zh_CN", "en"):
        session["locale"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    target = request.args.get("next") or url_for("main.index")
    if not target.startswith("/") or target.startswith("//") or "\\" in target or not target.isprintable():
        target = url_for("main.index")
    return redirect(target)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Who I am; a cadre sets the day it is away until (routing skips it meanwhile)."""
    form = AwayForm(obj=current_user) if current_user.role == Role.CADRE else None
    status = 200
    if form is not None and request.method == "POST":
        if form.validate_on_submit():
            if form.away_until.data and form.away_until.data < local_date(utcnow()):
                form.away_until.errors.append(_("Choose today or a later day, or leave it empty."))
                status = 422
            else:
                try:
                    set_away(current_user, form.away_until.data)
                    db.session.commit()
                except DomainError as exc:
                    db.session.rollback()
                    attach_error(form, exc)
                    status = error_status(exc)
                else:
                    flash(_("Saved."), "success")
                    return redirect(url_for("main.profile"))
        else:
            status = 422
    return render_template("main/profile.html", form=form), status
