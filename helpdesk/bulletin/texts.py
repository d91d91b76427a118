"""The words of the bulletin's files, in the reader's language (call them inside `force_locale`)."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from helpdesk.calendar.workdays import SHANGHAI
from helpdesk.reports.charts import percent

# The headline figures, in the order of the notice: (Figures attribute, label, kind).
HEADLINE = (
    ("total", _l("Issues filed (count)"), "count"),
    ("completed", _l("Completed (count)"), "count"),
    ("completion_rate", _l("Completion rate"), "rate"),
    ("gap_to_target", _l("Completions still needed (count)"), "count"),
    ("on_time_rate", _l("On time"), "rate"),
    ("response_rate", _l("Responded on time"), "rate"),
    ("satisfaction_rate", _l("Satisfaction"), "rate"),
    ("callback_rate", _l("Called back"), "rate"),
    ("verified_solved_rate", _l("Verified solved"), "rate"),
    ("score", _l("Composite score"), "score"),
)
# The figures of each row of a league table, after its rank, change and name.
LEAGUE = (
    ("score", _l("Score"), "score"),
    ("total", _l("Issues filed (count)"), "count"),
    ("completed", _l("Completed (count)"), "count"),
    ("completion_rate", _l("Completion rate"), "rate"),
    ("on_time_rate", _l("On time"), "rate"),
    ("response_rate", _l("Responded on time"), "rate"),
    ("satisfaction_rate", _l("Satisfaction"), "rate"),
    ("callback_rate", _l("Called back"), "rate"),
    ("verified_solved_rate", _l("Verified solved"), "rate"),
    ("gap_to_target", _l("Completions still needed (count)"), "count"),
)

CHINESE_NUMERALS = "一二三四五六七八九十"


def month_text(month: date, locale: str) -> str:
    """The month as 2026年11月 or November 2026."""
    if locale.startswith("en"):
        return format_date(month, "MMMM y", locale="en")
    return f"{month.year}年{month.month}月"


def time_text(moment: datetime, locale: str) -> str:
    return format_datetime(
        moment, "yyyy-MM-dd HH:mm", tzinfo=SHANGHAI, locale="en" if locale.startswith("en") else "zh_CN"
    )


def title(name: str, month: date, locale: str) -> str:
    return _(
        '%(name)s "10,000 People Helping 10,000 Enterprises": Issue Handling Bulletin, %(month)s',
        name=name,
        month=month_text(month, locale),
    )


def section(number: int, heading: str, locale: str) -> str:
    """A numbered heading: 一、总体情况 or 1. Headline figures."""
    if locale.startswith("en") or number > len(CHINESE_NUMERALS):
        return f"{number}. {heading}"
    return f"{CHINESE_NUMERALS[number - 1]}、{heading}"


def change_text(change: int | None) -> str:
    """↑2, ↓1, — (unchanged), or new (not ranked the month before)."""
    if change is None:
        return _("new in the table")
    if change > 0:
        return f"↑{change}"
    if change < 0:
        return f"↓{-change}"
    return "—"


def value_text(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "rate":
        return percent(value)
    if kind == "score":
        return f"{value:.1f}"
    return str(value)


def headings() -> dict[str, str]:
    """Section and column headings in the current locale."""
    return {
        "headline": _("Headline figures"),
        "counties": _("League of counties"),
        "departments": _("League of departments"),
        "laggards": _("Behind the target, largest gap first"),
        "red": _("Red tickets"),
        "common": _("Common issues of the month"),
        "sheet_summary": _("Summary"),
        "sheet_laggards": _("Laggards"),
        "sheet_red": _("Red tickets"),
        "sheet_common": _("Common issues"),
        "figure": _("Figure"),
        "month": _("This month"),
        "year": _("Year to date"),
        "target": _("Target"),
        "rank": _("Rank"),
        "change": _("Rank change"),
        "county": _("County"),
        "division": _("County-level division"),
        "department": _("Department"),
        "jurisdiction": _("Jurisdiction"),
        "kind": _("Kind"),
        "name": _("Name"),
        "number": _("Number"),
        "title": _("Title"),
        "enterprise": _("Enterprise"),
        "handler": _("Handler"),
        "due": _("Due"),
        "urged": _("Urged"),
        "reopened": _("Reopened"),
        "issue": _("Common issue"),
        "tickets": _("Tickets"),
        "lead": _("Lead department"),
        "status": _("Status"),
        "none_behind": _("Every unit meets the target."),
        "no_red": _("No red tickets."),
        "so_far": _("The month is not over yet: these are the figures so far."),
        "scope": _("Issues filed in the month; the year to date runs from 1 January. Ranks by composite score."),
    }


def as_of_text(moment: datetime, locale: str) -> str:
    return _("Figures as of %(time)s", time=time_text(moment, locale))


def summary(month: date, figures, target: float, locale: str) -> str:
    """One sentence on the month's completions against the target."""
    text = _(
        "In %(month)s, %(filed)s issues were filed and %(completed)s completed: a completion rate of "
        "%(rate)s against the target of %(target)s.",
        month=month_text(month, locale),
        filed=figures.total,
        completed=figures.completed,
        rate=percent(figures.completion_rate),
        target=percent(target, 0),
    )
    space = " " if locale.startswith("en") else ""  # Chinese runs sentences together
    if figures.meets_target:
        return text + space + _("The target is met.")
    if figures.meets_target is False:
        return text + space + _("%(n)s more completions are needed to reach it.", n=figures.gap_to_target)
    return text
