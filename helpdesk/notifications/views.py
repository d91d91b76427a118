"""The notifications page (mark read), the unread count shown in the navigation bar, and the channels a
person chooses on the profile page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select, update

from helpdesk.db import utcnow
from helpdesk.extensions import db
from helpdesk.notifications.forms import ChannelsForm
from helpdesk.notifications.models import Notification
from helpdesk.notifications.preferences import set_channels
from helpdesk.pages import PER_PAGE, check_id, page_number, save, url_with

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def unread_count():
    """The number on the bell in the navigation bar."""
    if not current_user or not current_user.is_authenticated:
        return {"unread_count": 0}
    count = db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
    )
    return {"unread_count": count or 0}


def _mark_read(*conditions) -> int:
    """Mark the current user's unread notifications matching `conditions` as read."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None), *conditions)
        .values(read_at=utcnow())
    )
    return result.rowcount or 0


@bp.get("/notifications")
@login_required
def index():
    only_unread = request.args.get("unread") == "1"
    query = select(Notification).where(Notification.user_id == current_user.id)
    if only_unread:
        query = query.where(Notification.read_at.is_(None))
    query = query.order_by(Notification.created_at.desc(), Notification.id.desc())
    page = db.paginate(query, page=page_number(), per_page=PER_PAGE, error_out=False)
    return render_template(
        "notifications/index.html", page=page, form=FlaskForm(), only_unread=only_unread, url_with=url_with
    )


def _read_own(notification_id: int) -> Notification:
    """Mark one of the user's own notifications read (404 for anybody else's)."""
    note = db.session.get(Notification, check_id(notification_id))
    if note is None or note.user_id != current_user.id:
        abort(404)
    _mark_read(Notification.id == note.id)
    db.session.commit()
    return note


@bp.get("/notifications/<int:notification_id>")
@login_required
def open_(notification_id: int):
    """Follow a notification to its ticket, marking it read."""
    note = _read_own(notification_id)
    if note.ticket_id is None:
        return redirect(url_for("notifications.index"))
    return redirect(url_for("tickets.detail", ticket_id=note.ticket_id))


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int):
    _read_own(notification_id)
    return redirect(url_for("notifications.index"))


@bp.post("/notifications/read-all")
@login_required
def mark_all_read():
    count = _mark_read()
    db.session.commit()
    flash(_("%(count)s notifications marked as read.", count=count), "info")
    return redirect(url_for("notifications.index"))


@bp.post("/profile/channels")
@login_required
def save_channels():
    """In-app always; email and SMS as the person chooses (SMS needs a mobile number, set by an admin)."""
    form = ChannelsForm()
    outcome = save(
        form,
        lambda: set_channels(current_user, email=form.email.data, sms=form.sms.data),
        _("Your channels are saved."),
        url_for("main.profile"),
    )
    if outcome.response:
        return outcome.response
    for error in form.form_errors + [e for f in form for e in f.errors]:
        flash(error, "danger")
    return redirect(url_for("main.profile"))
