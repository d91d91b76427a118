"""The base of every page form: Flask-WTF (CSRF) plus input hygiene shared by all text fields."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField


def strip_nul(value):
    """Drop NUL characters: no person types them, and PostgreSQL refuses them in text."""
    return value.replace("\x00", "") if isinstance(value, str) else value


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, StringField | TextAreaField):
                options = {**options, "filters": [strip_nul, *unbound_field.kwargs.get("filters", ())]}
            return unbound_field.bind(form=form, **options)
