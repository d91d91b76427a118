"""Admin pages: holiday overrides of the working-day calendar (a change is a delete and an add)."""

from __future__ import annotations

from datetime import date

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from helpdesk.admin.blueprint import bp, calendar_warning, get_or_404
from helpdesk.admin.forms import HolidayForm
from helpdesk.calendar.models import HolidayOverride
from helpdesk.calendar.services import add_holiday_override, delete_holiday_override
from helpdesk.extensions import db
from helpdesk.pages import arg_id, page_number, save


def _holidays_page(form, status=200):
    year = arg_id("year")
    query = select(HolidayOverride).order_by(HolidayOverride.day.desc())
    if year and 2000 <= year <= 2100:
        query = query.where(HolidayOverride.day >= date(year, 1, 1), HolidayOverride.day <= date(year, 12, 31))
    page = db.paginate(query, page=page_number(), per_page=100, error_out=False)
    return render_template(
        "admin/holidays.html", page=page, form=form, unknown=calendar_warning(), delete_form=FlaskForm()
    ), status


@bp.route("/holidays", methods=["GET", "POST"])
def holidays():
    """Overrides of the working-day calendar; changing one means deleting it and adding it again."""
    form = HolidayForm()
    if request.method == "POST":
        outcome = save(
            form,
            lambda: add_holiday_override(
                current_user, form.day.data, form.is_workday.data == "1", form.note.data or ""
            ),
            _("Override added."),
            url_for("admin.holidays"),
        )
        if outcome.response:
            return outcome.response
        status = outcome.status
        return _holidays_page(form, status)
    return _holidays_page(form)


@bp.post("/holidays/<int:override_id>/delete")
def holiday_delete(override_id: int):
    override = get_or_404(HolidayOverride, override_id)
    outcome = save(
        FlaskForm(),
        lambda: delete_holiday_override(current_user, override),
        _("Override deleted."),
        url_for("admin.holidays"),
    )
    return outcome.response or redirect(url_for("admin.holidays"))
