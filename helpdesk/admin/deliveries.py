"""Admin pages: deliveries of notifications (the outbox), filtered by status and channel; retry a failed one."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from helpdesk.admin.blueprint import bp, get_or_404
from helpdesk.db import utcnow
from helpdesk.extensions import db
from helpdesk.notifications.models import Channel, DeliveryStatus, OutboxMessage
from helpdesk.notifications.outbox import deliveries_query, failed_count, retry_now
from helpdesk.pages import PER_PAGE, page_number, save, url_with


def _choice(name: str, allowed) -> str | None:
    value = request.args.get(name, "")
    return value if value in {m.value for m in allowed} else None


@bp.get("/deliveries")
def deliveries():
    status, channel = _choice("status", DeliveryStatus), _choice("channel", Channel)
    page = db.paginate(deliveries_query(status, channel), page=page_number(), per_page=PER_PAGE, error_out=False)
    return render_template(
        "admin/deliveries.html",
        page=page,
        statuses=[s.value for s in DeliveryStatus],
        channels=[c.value for c in Channel],
        failed=failed_count(),
        retry_form=FlaskForm(),
        url_with=url_with,
    )


@bp.post("/deliveries/<int:message_id>/retry")
def delivery_retry(message_id: int):
    """Send a failed delivery again now (the worker picks it up within seconds)."""
    message = get_or_404(OutboxMessage, message_id)
    back = url_for("admin.deliveries", status=request.args.get("status") or None)
    outcome = save(FlaskForm(), lambda: retry_now(current_user, message, utcnow()), _("Delivery queued again."), back)
    if outcome.error is not None:
        flash(outcome.error.localized(), "danger")
    return outcome.response or redirect(back)
