"""Home: each role lands on its own page."""

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from helpdesk.extensions import db

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def index():
    return render_template("main/index.html")


@bp.get("/language/<code>")
def set_language(code: str):
    """Switch the interface language; remembered on the user when logged in."""
    if code in ("zh_CN", "en"):
        session["locale"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    target = request.args.get("next") or url_for("main.index")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("main.index")
    return redirect(target)
