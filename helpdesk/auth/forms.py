"""Login, password and profile forms."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from helpdesk.auth.passwords import MAX_PASSWORD
from helpdesk.forms import BaseForm


class LoginForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Log in"))


class ChangePasswordForm(BaseForm):
    """The user's own new password; the rules are the service's (auth/passwords.py)."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=MAX_PASSWORD)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=MAX_PASSWORD)])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two new passwords differ."))],
    )
    submit = SubmitField(_l("Change the password"))


class AwayForm(BaseForm):
    """A cadre on leave: routing skips it up to and including this day (empty: back at work)."""

    away_until = DateField(_l("Away until (inclusive)"), validators=[Optional()])
    submit = SubmitField(_l("Save"))
