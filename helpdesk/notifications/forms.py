"""Forms: a user's channels (profile page) and an admin's group robot."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectField, StringField, SubmitField, URLField
from wtforms.validators import InputRequired, Length, Optional

from helpdesk.enterprises.forms import optional_int
from helpdesk.forms import BaseForm
from helpdesk.pages import options


class ChannelsForm(BaseForm):
    email = BooleanField(_l("Email"))
    sms = BooleanField(_l("Text message (SMS)"))
    submit = SubmitField(_l("Save my channels"))


def channels_form(user) -> ChannelsForm:
    """The profile page's channel choices, showing the user's current ones."""
    from helpdesk.notifications.models import Channel
    from helpdesk.notifications.preferences import chosen_channels

    chosen = chosen_channels(user)
    return ChannelsForm(formdata=None, data={"email": Channel.EMAIL in chosen, "sms": Channel.SMS in chosen})


class RobotForm(BaseForm):
    kind = SelectField(
        _l("Kind"),
        choices=options([("wecom", _l("WeCom group robot")), ("dingtalk", _l("DingTalk group robot"))]),
        validators=[InputRequired()],
    )
    name = StringField(_l("Name (the group)"), validators=[InputRequired(), Length(max=100)])
    webhook_url = URLField(_l("Webhook URL"), validators=[InputRequired(), Length(max=500)])
    secret = PasswordField(_l("Signing secret (DingTalk, optional)"), validators=[Optional(), Length(max=200)])
    department_id = SelectField(_l("Department"), coerce=optional_int, validators=[Optional()])
    jurisdiction_id = SelectField(_l("Jurisdiction (its supervisors)"), coerce=optional_int, validators=[Optional()])
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))
