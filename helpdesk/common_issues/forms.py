"""The forms of the common-issue pages: create one from a group, add tickets by number, resolve, remove."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from helpdesk.forms import BaseForm
from helpdesk.pages import coerce_id
from helpdesk.tickets.changes import NOTE_LENGTH, TITLE_LENGTH


class CreateIssueForm(BaseForm):
    """A common issue from a candidate group: its title (the group's label at first) and lead department."""

    title = StringField(_l("Title of the common issue"), validators=[InputRequired(), Length(*TITLE_LENGTH)])
    lead_department_id = SelectField(_l("Lead department"), coerce=coerce_id, validators=[InputRequired()])
    description = TextAreaField(_l("Description (optional)"), validators=[Optional(), Length(max=5000)])
    ticket_ids = HiddenField(validators=[InputRequired()])
    category = HiddenField()
    submit = SubmitField(_l("Create the common issue"))

    def ids(self) -> list[int]:
        return [int(part) for part in (self.ticket_ids.data or "").split(",") if part.strip().isdigit()]


class AddTicketsForm(BaseForm):
    numbers = StringField(
        _l("Ticket numbers"), validators=[InputRequired(), Length(max=2000)], description="ZK-2025-000123"
    )
    submit = SubmitField(_l("Add"))


class ResolveIssueForm(BaseForm):
    resolution_note = TextAreaField(
        _l("Common resolution (sent to every enterprise)"), validators=[InputRequired(), Length(max=NOTE_LENGTH)]
    )
    submit = SubmitField(_l("Resolve every linked ticket"))


class RemoveTicketForm(BaseForm):
    submit = SubmitField(_l("Remove"))
