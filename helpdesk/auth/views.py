"""Login, logout and change-password pages; a user whose password must change may do nothing else."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from helpdesk.audit.models import SecurityEventKind as Kind
from helpdesk.audit.services import record_security_event
from helpdesk.auth.forms import ChangePasswordForm, LoginForm
from helpdesk.auth.logins import (
    BadCredentials,
    LoginRefused,
    Throttled,
    change_password,
    check_credentials,
    must_change_password,
)
from helpdesk.auth.sessions import current_session, end_session, start_session
from helpdesk.db import utcnow
from helpdesk.extensions import db
from helpdesk.pages import safe_next, save

bp = Blueprint("auth", __name__)

# What a user whose password must change may still reach (pages; the API has no session).
WHILE_PASSWORD_MUST_CHANGE = frozenset(
    {"auth.change_password", "auth.logout", "main.set_language", "static", "health.healthz", "health.readyz"}
)


@bp.before_app_request
def _password_change_first():
    """A temporary (or expired) password: the change-password page first, and nothing else."""
    if request.endpoint in WHILE_PASSWORD_MUST_CHANGE or request.endpoint is None or request.path.startswith("/api/"):
        return None
    if current_user.is_authenticated and must_change_password(current_user, utcnow()):
        return redirect(url_for("auth.change_password"))
    return None


def _log_in(user, now) -> None:
    """A new page session: a clean cookie (the language choice kept) carrying a new session token."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    start_session(user, now)
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    now = utcnow()
    try:
        user = check_credentials(form.email.data, form.password.data, address=request.remote_addr, now=now)
    except LoginRefused as exc:
        db.session.commit()  # the failure counts, and is logged
        if isinstance(exc, Throttled):
            flash(exc.localized(), "danger")
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(exc.retry_after)}
        form.password.errors.append(exc.localized())
        return render_template("auth/login.html", form=form)
    _log_in(user, now)
    record_security_event(Kind.LOGIN, user=user, now=now, session_id=current_session().id)
    db.session.commit()
    if must_change_password(user, now):
        flash(_("Your password is temporary or has expired: choose a new one to go on."), "warning")
        return redirect(url_for("auth.change_password"))
    return redirect(safe_next(url_for("main.index")))


@bp.post("/logout")
@login_required
def logout():
    now = utcnow()
    end_session(current_session(), "logout", now)
    record_security_event(Kind.LOGOUT, user=current_user._get_current_object(), now=now)
    db.session.commit()
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"], endpoint="change_password")
@login_required
def change_password_page():
    """Change one's own password: every other session and token ends; this browser gets a new session."""
    form = ChangePasswordForm()
    user = current_user._get_current_object()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("auth/password.html", form=form), status
    now = utcnow()
    try:
        check_credentials(user.email, form.current_password.data, address=request.remote_addr, now=now)
    except LoginRefused as exc:
        db.session.commit()  # a wrong current password counts as a failed login
        if isinstance(exc, BadCredentials):
            form.current_password.errors.append(_("The current password is wrong."))
            return render_template("auth/password.html", form=form), 422
        form.form_errors.append(exc.localized())
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Throttled) else {}
        return render_template("auth/password.html", form=form), exc.status, headers

    def call():
        change_password(user, form.current_password.data, form.new_password.data, now)
        _log_in(user, now)

    outcome = save(form, call, _("Your password has been changed."), url_for("main.index"), validate=False)
    if outcome.response:
        return outcome.response
    return render_template("auth/password.html", form=form), outcome.status
