"""The form of one callback (回访), on the queue page (one per row) and on the ticket page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from helpdesk.forms import BaseForm
from helpdesk.labels import RATING_LABELS
from helpdesk.pages import options
from helpdesk.tickets.changes import NOTE_LENGTH

YES_NO = {"yes": True, "no": False}


class CallbackForm(BaseForm):
    """Reached? Really solved? Rating, note. Built with prefix="t<ticket id>" so rows do not collide."""

    reached = RadioField(
        _l("Was the enterprise reached?"),
        choices=options([("yes", _l("Reached")), ("no", _l("Nobody answered"))]),
        validators=[InputRequired()],
    )
    solved = RadioField(
        _l("Is the problem really solved?"),
        choices=options([("yes", _l("Really solved")), ("no", _l("Not solved: reopen it"))]),
        validators=[Optional()],
    )
    rating = SelectField(
        _l("Rating (optional)"), choices=options([("", "—"), *RATING_LABELS.items()]), validators=[Optional()]
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=NOTE_LENGTH)])
    next = HiddenField()
    submit = SubmitField(_l("Record the callback"))

    def answers(self) -> dict:
        """The service's arguments: yes/no as booleans, nothing chosen as None."""
        return {
            "reached": YES_NO.get(self.reached.data),
            "solved": YES_NO.get(self.solved.data),
            "rating": self.rating.data or None,
            "note": self.note.data or None,
        }


def callback_form(ticket_id: int, formdata=None) -> CallbackForm:
    form = CallbackForm(formdata=formdata, prefix=f"t{ticket_id}")
    return form
