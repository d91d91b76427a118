"""The ticket page: its facts, the actions the viewer may take (one form each), the history, comments and
attachments. Each post is load (404 when not visible) → validate → one service call → commit → redirect;
a refusal is shown beside its field (422), as a conflict on a stale page (409), or as 403."""

from __future__ import annotations

from flask import abort, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from helpdesk import labels
from helpdesk.attachments.services import (
    open_attachment,
    store_attachment,
)
from helpdesk.auth.models import Role, User
from helpdesk.calendar.workdays import local_date
from helpdesk.db import utcnow
from helpdesk.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Department
from helpdesk.jurisdictions.scope import supervised_scope
from helpdesk.pages import (
    check_id,
    display_name,
    grouped_options,
    options,
    safe_next,
    save,
    ui_locale,
)
from helpdesk.tickets.forms import AttachmentForm, CommentForm, action_form_class
from helpdesk.tickets.models import (
    Attachment,
    Comment,
    Ticket,
    TicketEvent,
)
from helpdesk.tickets.queries import load_visible_ticket, of_ticket
from helpdesk.tickets.routing import routing_reason
from helpdesk.tickets.services import acting_parties, add_comment, allowed_actions, perform_action
from helpdesk.tickets.views import bp
from helpdesk.tickets.workflow import EVENT_LABELS, TRANSITIONS, USER_ACTIONS

# -- the ticket page -------------------------------------------------------------------------------


def _department_choices(ticket: Ticket, action: str) -> list:
    """Departments at the ticket's handling level, except the one handling it (and co-handlers)."""
    exclude = {ticket.department_id}
    if action == "add_cohandler":
        exclude |= {c.department_id for c in ticket.cohandlers}
    departments = db.session.scalars(
        select(Department).where(Department.jurisdiction_id == ticket.handling_jurisdiction_id).order_by(Department.id)
    )
    return options(
        [("", _("Choose a department…"))] + [(d.id, display_name(d)) for d in departments if d.id not in exclude]
    )


def _cadre_choices(ticket: Ticket) -> list:
    """Active cadres of the departments at the ticket's handling level (in the supervisor's subtree)."""
    query = (
        select(User, Department)
        .join(Department, Department.id == User.department_id)
        .where(
            User.role == Role.CADRE.value,
            User.active.is_(True),
            Department.jurisdiction_id == ticket.handling_jurisdiction_id,
            supervised_scope(current_user).clause(Department.jurisdiction_id),
        )
        .order_by(Department.id, User.name, User.id)
    )
    groups: dict[str, list] = {}
    for cadre, department in db.session.execute(query):
        if cadre.id == ticket.assignee_id:
            continue
        away = f" ({_('away')})" if cadre.away_until and not cadre.is_available(local_date(utcnow())) else ""
        groups.setdefault(display_name(department), []).append((cadre.id, f"{cadre.name}{away}"))
    return grouped_options({"": [("", _("Choose a cadre…"))], **groups})


def _action_form(ticket: Ticket, action: str, formdata=None):
    form_class = action_form_class(action)
    form = form_class(formdata=formdata) if formdata is not None else form_class(formdata=None)
    if formdata is None:
        form.version.data = str(ticket.version)
    form.submit.label.text = str(EVENT_LABELS[action])
    for field in form:
        field.id = f"{action}-{field.name}"
        if hasattr(field, "label"):
            field.label.field_id = field.id
    if hasattr(form, "department_id"):
        form.department_id.choices = _department_choices(ticket, action)
    if hasattr(form, "assignee_id"):
        form.assignee_id.choices = _cadre_choices(ticket)
    return form


# At the same instant (a filing with its files), the event comes first, then the uploads, then comments.
TIMELINE_ORDER = {"event": 0, "attachment": 1, "comment": 2}


def _timeline(ticket: Ticket, attachments: list[Attachment]) -> list[dict]:
    """Events, comments and uploads, oldest first; internal ones only for government users."""
    items = [
        {"kind": kind, "at": obj.created_at, "id": obj.id, "obj": obj, "internal": obj.internal}
        for kind, model in (("event", TicketEvent), ("comment", Comment))
        for obj in db.session.scalars(of_ticket(current_user, model, ticket.id))
    ]
    items += [
        {"kind": "attachment", "at": a.created_at, "id": a.id, "obj": a, "internal": a.internal} for a in attachments
    ]
    items.sort(key=lambda item: (item["at"], TIMELINE_ORDER[item["kind"]], item["id"]))
    return items


def routing_text(routing: dict | None, recorded: str | None = None) -> str:
    """A ticket's or an event's routing decision in the reader's language."""
    return routing_reason(routing, recorded, ui_locale())


def render_detail(
    ticket: Ticket,
    *,
    posted: tuple[str, object] | None = None,
    comment_form=None,
    attachment_form=None,
    alert: str | None = None,
    status: int = 200,
):
    """The ticket page; `posted` is (action, form) of a refused post, shown with its messages."""
    now = utcnow()
    government = current_user.role != Role.ENTERPRISE
    forms = {}
    for action in allowed_actions(current_user, ticket):
        if posted and posted[0] == action:
            forms[action] = posted[1]
        else:
            forms[action] = _action_form(ticket, action)
    if comment_form is None:
        comment_form = CommentForm(formdata=None)
    if attachment_form is None:
        attachment_form = AttachmentForm(formdata=None)
    if not government:
        del comment_form.internal
        del attachment_form.internal
    attachments = list(db.session.scalars(of_ticket(current_user, Attachment, ticket.id)))
    return render_template(
        "tickets/detail.html",
        ticket=ticket,
        now=now,
        warning=ticket.warning_at(now),
        government=government,
        forms=forms,
        timeline=_timeline(ticket, attachments),
        attachments=attachments,
        routing_text=routing_text,
        comment_form=comment_form,
        attachment_form=attachment_form,
        alert=alert,
        next_url=request.values.get("next") if request.method == "POST" else None,
        transitions=TRANSITIONS,
    ), status


def _ticket(ticket_id: int) -> Ticket:
    return load_visible_ticket(current_user, check_id(ticket_id))


@bp.get("/tickets/<int:ticket_id>")
@login_required
def detail(ticket_id: int):
    return render_detail(_ticket(ticket_id))


def _conflict_message(action: str, ticket: Ticket, exc: Conflict, stale: bool) -> str:
    if stale:
        return _(
            "This ticket has changed since you opened the page (someone else acted on it). "
            "It is shown below as it is now: check it and try again."
        )
    if isinstance(exc, InvalidTransition):
        return _(
            "“%(action)s” is not possible while the ticket is “%(status)s”.",
            action=EVENT_LABELS[action],
            status=labels.STATUS_LABELS.get(ticket.status, ""),
        )
    return _("The action could not be done on the ticket as it is now: %(reason)s", reason=exc.localized())


@bp.post("/tickets/<int:ticket_id>/actions/<action>")
@login_required
def act(ticket_id: int, action: str):
    """One workflow action from its form on the ticket page (or a dashboard's red-ticket row)."""
    ticket = _ticket(ticket_id)
    if action not in USER_ACTIONS:
        abort(404)
    if not acting_parties(current_user, ticket) & TRANSITIONS[action].who:
        abort(403)
    form = _action_form(ticket, action, formdata=request.form)
    loaded_version = ticket.version
    valid = form.validate_on_submit()
    if form.version.data not in (None, "") and form.version_number() is None:
        form.form_errors.append(_("This page is out of date: reload it and try again."))
        valid = False
    if not valid:
        return render_detail(ticket, posted=(action, form), status=422)
    values = {
        name: getattr(form, name).data
        for name in ("department_id", "assignee_id", "rating", "days")
        if hasattr(form, name)
    }
    outcome = save(
        form,
        lambda: perform_action(
            current_user, ticket, action, note=form.note.data or None, version=form.version_number(), **values
        ),
        success=_("%(action)s: done.", action=EVENT_LABELS[action]),
        redirect_to=safe_next(url_for("tickets.detail", ticket_id=ticket.id)),
        validate=False,
    )
    if outcome.response:
        return outcome.response
    if isinstance(outcome.error, NotAllowed):
        abort(403)
    ticket = _ticket(ticket_id)
    if isinstance(outcome.error, Conflict):
        stale = form.version_number() is not None and form.version_number() != loaded_version
        return render_detail(ticket, alert=_conflict_message(action, ticket, outcome.error, stale), status=409)
    return render_detail(ticket, posted=(action, form), status=outcome.status)


def _add_to_ticket(ticket_id: int, form_class, slot: str, add, success, anchor: str):
    """Add a comment or a file from the ticket page (`internal` for government users only); a refusal
    shows the page again with the form in its `slot`."""
    ticket = _ticket(ticket_id)
    form = form_class()
    if current_user.role == Role.ENTERPRISE:
        del form.internal
    internal = bool(getattr(form, "internal", None) and form.internal.data)
    outcome = save(
        form,
        lambda: add(ticket, form, internal),
        success(internal),
        url_for("tickets.detail", ticket_id=ticket.id) + anchor,
    )
    return outcome.response or render_detail(_ticket(ticket_id), status=outcome.status, **{slot: form})


@bp.post("/tickets/<int:ticket_id>/comments")
@login_required
def comment(ticket_id: int):
    """A public comment, or an internal note (government users)."""
    return _add_to_ticket(
        ticket_id,
        CommentForm,
        "comment_form",
        lambda ticket, form, internal: add_comment(current_user, ticket, form.body.data, internal=internal),
        lambda internal: _("Internal note added.") if internal else _("Comment added."),
        "#timeline",
    )


@bp.post("/tickets/<int:ticket_id>/attachments")
@login_required
def upload(ticket_id: int):
    """Attach a file (pdf, png, jpeg, docx, xlsx; at most 10 MB), judged by its content."""
    return _add_to_ticket(
        ticket_id,
        AttachmentForm,
        "attachment_form",
        lambda ticket, form, internal: store_attachment(current_user, ticket, form.file.data, internal=internal),
        lambda internal: _("File attached."),
        "#attachments",
    )


@bp.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    """A stored file, after the same visibility check as its ticket (internal files: government only)."""
    check_id(attachment_id)
    try:
        attachment, path = open_attachment(current_user, attachment_id)
    except DomainError:
        abort(404)
    response = send_file(
        path, mimetype=attachment.content_type, as_attachment=True, download_name=attachment.filename, max_age=0
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
