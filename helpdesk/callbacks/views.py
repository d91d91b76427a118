"""Pages of callback verification (回访): the queue with a form per row (supervisors, admins), and the
callbacks listed on the ticket page (government users). A post is load (404 when not visible) → validate
→ record_callback → commit → back to the queue (or the ticket page); a refusal shows beside its field."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from helpdesk.auth.models import Role
from helpdesk.callbacks.forms import callback_form
from helpdesk.callbacks.queries import Reason, callback_queue, callbacks_of
from helpdesk.callbacks.services import CALLERS, record_callback
from helpdesk.db import utcnow
from helpdesk.pages import check_id, is_safe_path, page_number, role_required, save
from helpdesk.tickets.models import COMPLETED_STATUSES, Ticket
from helpdesk.tickets.queries import load_visible_ticket

bp = Blueprint("callbacks", __name__)
CALLER_ROLES = tuple(role.value for role in CALLERS)
PER_PAGE = 20


def _queue_page(posted: tuple[int, object] | None = None, status: int = 200):
    """The queue; `posted` is (ticket id, form) of a refused post, shown with its messages."""
    now = utcnow()
    page = callback_queue(current_user, now, page_number(), PER_PAGE)
    here = url_for("callbacks.queue", page=page.page) if page.page > 1 else url_for("callbacks.queue")
    forms = {}
    for item in page.items:
        forms[item.ticket.id] = form = callback_form(item.ticket.id)
        form.next.data = here
    if posted is not None:
        forms[posted[0]] = posted[1]
    return render_template("callbacks/queue.html", page=page, forms=forms, now=now, reasons=Reason), status


@bp.get("/callbacks")
@role_required(*CALLER_ROLES)
def queue():
    """Completed tickets to call back: auto-closed ones first, then a sample of the others."""
    return _queue_page()


@bp.post("/callbacks/<int:ticket_id>")
@role_required(*CALLER_ROLES)
def record(ticket_id: int):
    """Record one callback from the queue or from the ticket page."""
    ticket = load_visible_ticket(current_user, check_id(ticket_id))
    form = callback_form(ticket.id, formdata=request.form)
    back = form.next.data if is_safe_path(form.next.data) else url_for("callbacks.queue")
    outcome = save(
        form,
        lambda: record_callback(current_user, ticket, **form.answers()),
        success=lambda callback: (
            _("Callback recorded: the ticket is reopened.")
            if callback.reached and callback.solved is False
            else _("Callback recorded.")
        ),
        redirect_to=back,
    )
    if outcome.response:
        return outcome.response
    if form.form_errors or back.startswith(url_for("tickets.detail", ticket_id=ticket.id)):
        # A refusal that names no field (the ticket was reopened meanwhile, say), or a post from the ticket
        # page, whose layout is another page's: say what was wrong there.
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "danger")
        for error in form.form_errors:
            flash(error, "danger")
        return redirect(back)
    return _queue_page(posted=(ticket.id, form), status=outcome.status)


# -- the ticket page's list of callbacks (templates/callbacks/_ticket_callbacks.html) -------------


def ticket_callbacks(ticket: Ticket) -> list:
    """The callbacks a government user sees on the ticket page (none for enterprise users)."""
    if not current_user.is_authenticated or current_user.role == Role.ENTERPRISE:
        return []
    return callbacks_of(current_user, ticket.id)


def ticket_callback_form(ticket: Ticket):
    """A callback form for the ticket page when the viewer may call back and the ticket is completed."""
    if current_user.role not in CALLER_ROLES or ticket.status not in COMPLETED_STATUSES:
        return None
    form = callback_form(ticket.id)
    form.next.data = url_for("tickets.detail", ticket_id=ticket.id) + "#callbacks"
    return form


@bp.app_context_processor
def callback_helpers():
    return {"ticket_callbacks": ticket_callbacks, "ticket_callback_form": ticket_callback_form}
