"""Home (each role lands on its own page), the language switch and the user's own profile."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk.auth.forms import AwayForm
from helpdesk.auth.models import Role
from helpdesk.auth.services import set_away
from helpdesk.calendar.workdays import local_date
from helpdesk.db import utcnow
from helpdesk.errors import ValidationFailed
from helpdesk.extensions import db
from helpdesk.notifications.forms import channels_form
from helpdesk.pages import HOME_PAGES, safe_next, save

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def index():
    """The role's start page (registered with @home_page): enterprise portal, workbench, dashboard, admin."""
    return HOME_PAGES[current_user.role]()


@bp.post("/language/<code>")
def set_language(code: str):
    """Switch the interface language (a form post with its CSRF token: a link or an image tag on another
    site cannot change it); remembered on the user when logged in."""
    if code in ("zh_CN", "en"):
        session["locale"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    return redirect(safe_next(url_for("main.index")))


def _set_away(form) -> None:
    if form.away_until.data and form.away_until.data < local_date(utcnow()):
        raise ValidationFailed("Choose today or a later day, or leave it empty.", field="away_until")
    set_away(current_user, form.away_until.data)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Who I am; a cadre sets the day it is away until (routing skips it meanwhile)."""
    form = AwayForm(obj=current_user) if current_user.role == Role.CADRE else None
    status = 200
    if form is not None and request.method == "POST":
        outcome = save(form, lambda: _set_away(form), success=_("Saved."), redirect_to=url_for("main.profile"))
        if outcome.response:
            return outcome.response
        status = outcome.status
    return render_template("main/profile.html", form=form, channels=channels_form(current_user)), status
