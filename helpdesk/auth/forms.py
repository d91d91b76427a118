"""Login and profile forms."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from helpdesk.forms import BaseForm


class LoginForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Log in"))


class AwayForm(BaseForm):
    """A cadre on leave: routing skips it up to and including this day (empty: back at work)."""

    away_until = DateField(_l("Away until (inclusive)"), validators=[Optional()])
    submit = SubmitField(_l("Save"))
