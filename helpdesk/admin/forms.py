"""Forms of the admin pages: users, departments, categories, routing rules, holiday overrides."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from helpdesk.auth.passwords import MAX_PASSWORD
from helpdesk.enterprises.forms import optional_int
from helpdesk.forms import BaseForm
from helpdesk.labels import ROLE_LABELS
from helpdesk.pages import options

LOCALES = options([("zh_CN", "中文"), ("en", "English")])


class UserCreateForm(BaseForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Length(max=254)])
    mobile = StringField(_l("Mobile number (for text messages)"), validators=[Optional(), Length(max=20)])
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=100)])
    # The length and the other rules are the service's (auth/passwords.py), which names the one that failed.
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=MAX_PASSWORD)])
    temporary_password = BooleanField(_l("Temporary: the user must change it at the first login"), default=True)
    role = SelectField(_l("Role"), choices=options(ROLE_LABELS.items()), validators=[InputRequired()])
    credit_code = StringField(_l("Enterprise (credit code)"), validators=[Optional(), Length(max=40)])
    department_id = SelectField(_l("Department (cadres)"), coerce=optional_int, validators=[Optional()])
    jurisdiction_id = SelectField(_l("Jurisdiction (supervisors)"), coerce=optional_int, validators=[Optional()])
    locale = SelectField(_l("Language"), choices=LOCALES, default="zh_CN")
    submit = SubmitField(_l("Create the user"))


class UserEditForm(BaseForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=100)])
    mobile = StringField(_l("Mobile number (for text messages)"), validators=[Optional(), Length(max=20)])
    department_id = SelectField(_l("Department"), coerce=optional_int, validators=[Optional()])
    locale = SelectField(_l("Language"), choices=LOCALES)
    away_until = DateField(_l("Away until (inclusive)"), validators=[Optional()])
    submit = SubmitField(_l("Save"))


class PasswordResetForm(BaseForm):
    password = PasswordField(_l("New password"), validators=[InputRequired(), Length(max=MAX_PASSWORD)])
    temporary_password = BooleanField(_l("Temporary: the user must change it at the next login"), default=True)
    submit = SubmitField(_l("Set the password"))


class DepartmentForm(BaseForm):
    jurisdiction_id = SelectField(_l("Jurisdiction"), coerce=optional_int, validators=[InputRequired()])
    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=40)])
    name = StringField(_l("Name (Chinese)"), validators=[InputRequired(), Length(max=120)])
    name_en = StringField(_l("Name (English)"), validators=[InputRequired(), Length(max=160)])
    short_name = StringField(_l("Short name (Chinese)"), validators=[Optional(), Length(max=40)])
    short_name_en = StringField(_l("Short name (English)"), validators=[Optional(), Length(max=60)])
    is_default = BooleanField(_l("Default department of the jurisdiction (general office)"))
    submit = SubmitField(_l("Save"))


class CategoryForm(BaseForm):
    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=30)])
    name = StringField(_l("Name (Chinese)"), validators=[InputRequired(), Length(max=60)])
    name_en = StringField(_l("Name (English)"), validators=[InputRequired(), Length(max=80)])
    help = TextAreaField(_l("Help for enterprises (Chinese)"), validators=[Optional(), Length(max=500)])
    help_en = TextAreaField(_l("Help for enterprises (English)"), validators=[Optional(), Length(max=500)])
    response_days = IntegerField(_l("Response limit (working days)"), validators=[InputRequired(), NumberRange(0, 30)])
    resolution_days = IntegerField(
        _l("Resolution limit (working days)"), validators=[InputRequired(), NumberRange(1, 60)]
    )
    position = IntegerField(_l("Position in lists"), validators=[Optional(), NumberRange(0, 1000)])
    submit = SubmitField(_l("Save"))


class RoutingRuleForm(BaseForm):
    category_id = SelectField(_l("Category"), coerce=optional_int, validators=[InputRequired()])
    jurisdiction_id = SelectField(_l("Jurisdiction"), coerce=optional_int, validators=[InputRequired()])
    department_id = SelectField(_l("Department"), coerce=optional_int, validators=[InputRequired()])
    submit = SubmitField(_l("Save"))


class RoutingRuleEditForm(BaseForm):
    department_id = SelectField(_l("Department"), coerce=optional_int, validators=[InputRequired()])
    submit = SubmitField(_l("Save"))


class HolidayForm(BaseForm):
    day = DateField(_l("Date"), validators=[InputRequired()])
    is_workday = RadioField(
        _l("This date is"),
        choices=options([("0", _l("a day off (holiday)")), ("1", _l("a working day (make-up day, 调休)"))]),
        validators=[InputRequired()],
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Add the override"))
