"""Forms of the ticket pages: filing, the workflow actions, comments and attachments."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from helpdesk.forms import BaseForm
from helpdesk.labels import PRIORITY_LABELS, RATING_LABELS
from helpdesk.pages import coerce_id, options
from helpdesk.tickets.changes import DESCRIPTION_LENGTH, EXTEND_DAYS, NOTE_LENGTH, TITLE_LENGTH
from helpdesk.tickets.workflow import DEFAULT_NOTE_LABEL, TRANSITIONS


class FileTicketForm(BaseForm):
    """File an issue (an enterprise for itself; a government user on behalf of a visible enterprise)."""

    enterprise_id = SelectField(_l("Enterprise"), coerce=coerce_id, validators=[InputRequired()])
    category = RadioField(_l("What is it about?"), validators=[InputRequired()])
    title = StringField(_l("Title"), validators=[InputRequired(), Length(*TITLE_LENGTH)])
    description = TextAreaField(_l("Describe the problem"), validators=[InputRequired(), Length(*DESCRIPTION_LENGTH)])
    priority = RadioField(
        _l("Priority"), choices=options(PRIORITY_LABELS.items()), default="normal", validators=[InputRequired()]
    )
    attachments = MultipleFileField(_l("Attachments (optional)"))
    # Shown once the form has warned of the company's own similar open issues (共性问题, issue 14).
    submit_anyway = BooleanField(_l("Submit it anyway: it is a different problem"))
    submit = SubmitField(_l("Submit the issue"))


class ActionForm(BaseForm):
    """One workflow action; the hidden version turns a stale page into a conflict (409)."""

    version = HiddenField()
    submit = SubmitField()

    def version_number(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


def action_form_class(action: str) -> type[ActionForm]:
    """The form class of one action, with the fields TRANSITIONS says it needs."""
    transition = TRANSITIONS[action]
    attrs: dict = {}
    note_label = transition.note_label or DEFAULT_NOTE_LABEL
    note_validators = (
        [InputRequired(), Length(max=NOTE_LENGTH)] if transition.needs_note else [Optional(), Length(max=NOTE_LENGTH)]
    )
    if "department_id" in transition.needs:
        attrs["department_id"] = SelectField(_l("Department"), coerce=coerce_id, validators=[InputRequired()])
    if "assignee_id" in transition.needs:
        attrs["assignee_id"] = SelectField(_l("Cadre"), coerce=coerce_id, validators=[InputRequired()])
    if "rating" in transition.needs:
        attrs["rating"] = RadioField(
            _l("How satisfied are you?"), choices=options(RATING_LABELS.items()), validators=[InputRequired()]
        )
    if "days" in transition.needs:
        attrs["days"] = IntegerField(
            _l("Working days"), validators=[InputRequired(), NumberRange(*EXTEND_DAYS)], default=3
        )
    attrs["note"] = TextAreaField(note_label, validators=note_validators)
    return type(f"{action.title().replace('_', '')}Form", (ActionForm,), attrs)


class CommentForm(BaseForm):
    body = TextAreaField(_l("Comment"), validators=[InputRequired(), Length(max=NOTE_LENGTH)])
    internal = BooleanField(_l("Internal note (government users only)"))
    submit = SubmitField(_l("Add comment"))


class AttachmentForm(BaseForm):
    file = FileField(_l("File"), validators=[FileRequired()])
    internal = BooleanField(_l("Internal (government users only)"))
    submit = SubmitField(_l("Upload"))
