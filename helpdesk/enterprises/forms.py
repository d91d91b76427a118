"""Forms of the enterprise pages: register or edit a company, pair it with a cadre, import a CSV."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from helpdesk.forms import BaseForm
from helpdesk.labels import SIZE_LABELS
from helpdesk.pages import coerce_id, options

optional_int = coerce_id  # the admin forms import it from here


class EnterpriseForm(BaseForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(2, 200)])
    credit_code = StringField(_l("Unified social credit code"), validators=[InputRequired(), Length(max=40)])
    jurisdiction_id = SelectField(_l("County-level division"), coerce=optional_int, validators=[InputRequired()])
    industry = StringField(_l("Industry"), validators=[Optional(), Length(max=100)])
    size = SelectField(_l("Size"), choices=options([("", "—"), *SIZE_LABELS.items()]), validators=[Optional()])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=100)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=40)])
    is_key = BooleanField(_l("Key enterprise (white list)"))
    submit = SubmitField(_l("Save"))

    def values(self) -> dict:
        return {
            "name": self.name.data,
            "credit_code": (self.credit_code.data or "").strip().upper(),
            "jurisdiction_id": self.jurisdiction_id.data,
            "industry": self.industry.data,
            "size": self.size.data or None,
            "contact_name": self.contact_name.data,
            "contact_phone": self.contact_phone.data,
            "is_key": bool(self.is_key.data),
        }


class PairForm(BaseForm):
    """Pair a company with a cadre (包联干部); empty: no liaison."""

    liaison_id = SelectField(_l("Liaison cadre"), coerce=optional_int, validators=[Optional()])
    submit = SubmitField(_l("Save the pairing"))


class ImportForm(BaseForm):
    file = FileField(_l("CSV file (UTF-8)"), validators=[FileRequired()])
    submit = SubmitField(_l("Import"))


def county_choices(user) -> list:
    """The county-level divisions a user may register companies in, as select choices."""
    from flask_babel import gettext as _

    from helpdesk.enterprises.queries import counties_in_scope
    from helpdesk.extensions import db
    from helpdesk.pages import display_name

    counties = db.session.scalars(counties_in_scope(user))
    return options([("", _("Choose…"))] + [(j.id, display_name(j)) for j in counties])
