"""What an exported report says to people, in the file's language (zh_CN or en): the column headers,
the title row (scope, period, as-of time, target) and the definition of every figure (PRODUCT.md §6).

The machine files of the API keep their field names (export.MACHINE_COLUMNS) and need none of this.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from helpdesk.calendar.workdays import SHANGHAI
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Category, Department, Jurisdiction
from helpdesk.reports.charts import percent
from helpdesk.reports.figures import Report

LOCALES = ("zh_CN", "en")
# The people's columns: the row's name, then the figures in the order of the JSON document.
PEOPLE_COLUMNS = (
    "label",
    "total",
    "eligible",
    "completed",
    "closed",
    "completion_rate",
    "closed_rate",
    "on_time_rate",
    "response_rate",
    "satisfaction_rate",
    "open_green",
    "open_yellow",
    "open_orange",
    "open_red",
    "open_awaiting",
    "gap_to_target",
    "meets_target",
    "score",
)


def file_locale(locale: str | None) -> str:
    """zh_CN unless the reader asked for English."""
    return "en" if (locale or "").startswith("en") else "zh_CN"


@dataclass
class Wording:
    """Everything a people's file says, in one language."""

    locale: str
    title: str
    headers: dict[str, str]  # column → header
    overall: str
    yes: str
    no: str
    sheet: str
    definitions_sheet: str
    definitions_header: tuple[str, str]
    definitions: list[tuple[str, str]]  # (header of the figure, its definition)


def _group_header(group_by: str | None) -> str:
    return {
        "jurisdiction": _("Jurisdiction"),
        "department": _("Department"),
        "cadre": _("Cadre"),
        "category": _("Category"),
        "month": _("Month"),
        "week": _("Week"),
    }.get(group_by or "", _("Scope"))


def _headers(group_by: str | None) -> dict[str, str]:
    return {
        "label": _group_header(group_by),
        "total": _("Issues filed"),
        "eligible": _("Eligible issues"),
        "completed": _("Completed"),
        "closed": _("Closed"),
        "completion_rate": _("Completion rate"),
        "closed_rate": _("Closed rate"),
        "on_time_rate": _("On-time completion rate"),
        "response_rate": _("On-time response rate"),
        "satisfaction_rate": _("Satisfaction rate"),
        "open_green": _("Open: green"),
        "open_yellow": _("Open: yellow"),
        "open_orange": _("Open: orange"),
        "open_red": _("Open: red"),
        "open_awaiting": _("Open: awaiting the enterprise"),
        "gap_to_target": _("Completions still needed"),
        "meets_target": _("Meets the target"),
        "score": _("Score"),
    }


def _definitions(headers: dict[str, str], target: str, weights: dict[str, float]) -> list[tuple[str, str]]:
    """PRODUCT.md §6, figure by figure, with this deployment's target and score weights."""
    text = {
        "label": _("The row: the whole scope first, then one row per group."),
        "total": _("Issues filed in the scope during the period (filing date, Beijing time)."),
        "eligible": _("Issues filed minus those withdrawn by the enterprise or declined."),
        "completed": _("Eligible issues resolved or closed."),
        "closed": _("Issues closed: confirmed by the enterprise or closed automatically."),
        "completion_rate": _(
            "Completed ÷ eligible. Empty when no issue is eligible. The target is %(target)s.",
            target=target,
        ),
        "closed_rate": _("Closed ÷ eligible."),
        "on_time_rate": _("Issues completed by their deadline ÷ completed."),
        "response_rate": _(
            "Issues first answered by their response deadline ÷ eligible issues that were answered "
            "or whose response deadline has passed."
        ),
        "satisfaction_rate": _(
            "(Satisfied + 0.9 × basically satisfied) ÷ rated issues (the 12345 hotlines' convention)."
        ),
        "open_green": _("Open issues on time."),
        "open_yellow": _("Open issues due today, or not answered by their response deadline."),
        "open_orange": _("Open issues past their deadline."),
        "open_red": _(
            "Open issues %(days)s working days or more past their deadline, or reopened twice or more.",
            days=current_app.config["RED_AFTER_DAYS"],
        ),
        "open_awaiting": _("Open issues waiting for the enterprise's answer: their clock is stopped."),
        "gap_to_target": _(
            "Completions still needed to reach the target: ⌈%(target)s × eligible⌉ − completed, at least 0.",
            target=target,
        ),
        "meets_target": _("Whether the completion rate reaches the target of %(target)s.", target=target),
        "score": _(
            "The league tables' score: 100 × (%(response)s × response rate + %(completion)s × completion rate "
            "+ %(satisfaction)s × satisfaction rate) ÷ the sum of the weights of the rates that are not empty.",
            response=_weight(weights, "response_rate"),
            completion=_weight(weights, "completion_rate"),
            satisfaction=_weight(weights, "satisfaction_rate"),
        ),
    }
    return [(headers[column], text[column]) for column in PEOPLE_COLUMNS]


def _weight(weights: dict[str, float], name: str) -> str:
    return f"{float(weights.get(name, 0)):.2f}"


def _scope_names(report: Report, locale: str) -> list[str]:
    """The jurisdiction (the whole tree when none was asked), then the department, cadre and category."""
    from helpdesk.auth.models import User

    lang = "en" if locale == "en" else None
    scope = report.scope
    names = []
    if scope.jurisdiction_id is not None:
        jurisdiction = db.session.get(Jurisdiction, scope.jurisdiction_id)
    else:  # the whole tree: its root when it has one (the province)
        roots = list(db.session.scalars(select(Jurisdiction).where(Jurisdiction.parent_id.is_(None)).limit(2)))
        jurisdiction = roots[0] if len(roots) == 1 else None
    names.append(jurisdiction.display_name(lang) if jurisdiction else _("All jurisdictions"))
    if scope.department_id is not None and (department := db.session.get(Department, scope.department_id)):
        names.append(_("Department: %(name)s", name=department.display_name(lang)))
    if scope.cadre_id is not None and (cadre := db.session.get(User, scope.cadre_id)):
        names.append(_("Cadre: %(name)s", name=cadre.name))
    if scope.category is not None:
        category = db.session.scalar(select(Category).where(Category.code == scope.category))
        names.append(_("Category: %(name)s", name=category.display_name(lang) if category else scope.category))
    return names


def _period(report: Report) -> str:
    first, end = report.scope.date_from, report.scope.date_to
    last = (end - timedelta(days=1)).isoformat() if end else None
    if first and last:
        return _("Filed %(first)s to %(last)s", first=first.isoformat(), last=last)
    if first:
        return _("Filed from %(first)s", first=first.isoformat())
    if last:
        return _("Filed until %(last)s", last=last)
    return _("All time")


def wording(report: Report, locale: str | None) -> Wording:
    """The words of a people's file of `report` in `locale` (needs the app: catalogs, names, settings)."""
    locale = file_locale(locale)
    with force_locale(locale):
        target = percent(report.target, 0 if round(report.target * 100, 6).is_integer() else 1)
        headers = _headers(report.group_by)
        as_of = report.as_of.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        title = " · ".join(
            [
                _("Resolution rate report"),
                *_scope_names(report, locale),
                _period(report),
                _("As of %(time)s (Beijing time)", time=as_of),
                _("Target %(target)s", target=target),
            ]
        )
        return Wording(
            locale=locale,
            title=title,
            headers=headers,
            overall=_("Overall"),
            yes=_("Yes"),
            no=_("No"),
            sheet=_("Resolution rates"),
            definitions_sheet=_("Definitions"),
            definitions_header=(_("Figure"), _("Definition")),
            definitions=_definitions(headers, target, current_app.config["SCORE_WEIGHTS"]),
        )
