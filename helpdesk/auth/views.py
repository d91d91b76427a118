"""Login and logout pages."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from helpdesk.auth import throttle
from helpdesk.auth.forms import LoginForm
from helpdesk.auth.services import authenticate
from helpdesk.pages import safe_next

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        email, address = form.email.data, request.remote_addr
        wait = throttle.retry_after(email, address)
        if wait is not None:
            flash(_("Too many failed logins. Try again in %(seconds)s seconds.", seconds=wait), "danger")
            response = render_template("auth/login.html", form=form), 429, {"Retry-After": str(wait)}
            return response
        user = authenticate(email, form.password.data)
        if user is None:
            throttle.record_failure(email, address)
            form.password.errors.append(_("Wrong email or password."))
            status = 200
        else:
            login_user(user)
            return redirect(safe_next(url_for("main.index")))
    elif request.method == "POST":
        status = 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))
