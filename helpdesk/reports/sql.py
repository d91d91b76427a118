"""The two SQL queries behind every report, and the month and week keys (identical on SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    union_all,
)

from helpdesk.db import UTCDateTime
from helpdesk.extensions import db
from helpdesk.reports.figures import EXCLUDED
from helpdesk.reports.rollup import OutcomeCount
from helpdesk.tickets.models import COMPLETED_STATUSES, OPEN_STATUSES, CallbackState, Rating, Status, Ticket

# Two queries per report. The first reads every ticket in scope, but only groups it: by the row keys,
# status, rating and three deadline flags; conditional sums over those few groups give the counts. Several
# groupings of one period (the dashboard's by county and by department) are one scan: the tickets are
# grouped by all the keys at once and services.py adds each grouping up.
# Grouping costs one hash per ticket where fourteen conditional sums cost fourteen expressions, and
# it lets PostgreSQL aggregate in parallel. The second reads only open tickets (the partial index
# ix_tickets_open holds them) for the colours of §5, which depend on `as_of`.
# When the rollup can serve a report (rollup.py), the first query reads the full months of its period from
# there and only the rest from the tickets: the groups of both are added up alike.

COUNTED = OutcomeCount.__table__.c


@dataclass(frozen=True)
class RollupRead:
    """How the first query splits a report between the rollup and the tickets."""

    keys: list  # per report key, the same key as an expression over ticket_outcome_counts
    clauses: list  # which rows of ticket_outcome_counts: the scope and the full months
    live: list[list] = field(default_factory=list)  # per SELECT of tickets, its clauses besides the report's


def _flag(column) -> ColumnElement:
    """The rollup's 1 / 0 / -1 back to true / false / NULL."""
    return case((column == 1, true()), (column == 0, false()))


def _sum_if(condition: ColumnElement, n: ColumnElement) -> ColumnElement:
    return func.coalesce(func.sum(case((condition, n), else_=0)), 0)


def outcome_query(keys: list, clauses: list, as_of: datetime, rollup: RollupRead | None = None):
    """Counts of everything but the colours: one row per combination of the keys (or one row), columns named
    as in Counts plus group_key_0, group_key_1… `keys` are (SQL expression, label function) pairs: tickets are
    grouped by the expressions, and each label function turns the few grouped values into the row's key.
    With `rollup`, the groups of the rollup's rows and of each of its SELECTs of tickets are added up."""
    now = literal(as_of, UTCDateTime)
    flags = {
        "on_time": Ticket.resolved_at <= Ticket.due_at,
        "answered_on_time": Ticket.first_response_at <= Ticket.response_due_at,
        # Answered, or the response deadline has passed: the denominator of response_rate.
        "response_due": or_(Ticket.first_response_at.is_not(None), Ticket.response_due_at < now),
    }
    # The same expression objects in SELECT and GROUP BY, so that their bound `now` is one parameter.
    grouped = [
        *(key.label(f"k{i}") for i, (key, _label) in enumerate(keys)),
        Ticket.status.label("status"),
        Ticket.rating.label("rating"),
        Ticket.callback_state.label("callback_state"),
        *(expression.label(name) for name, expression in flags.items()),
    ]

    def tickets(*extra):
        return (
            select(*grouped, func.count().label("n"))
            .where(*clauses, *extra)
            .group_by(
                *(key for key, _label in keys), Ticket.status, Ticket.rating, Ticket.callback_state, *flags.values()
            )
        )

    if rollup is None:
        outcomes = tickets().subquery("outcomes")
    else:
        c = COUNTED
        counted = (
            select(
                *(key.label(f"k{i}") for i, key in enumerate(rollup.keys)),
                c.status.label("status"),
                func.nullif(c.rating, "").label("rating"),
                func.nullif(c.callback_state, "").label("callback_state"),
                _flag(c.on_time).label("on_time"),
                _flag(c.answered_on_time).label("answered_on_time"),
                true().label("response_due"),  # answered
                func.sum(c.n).label("n"),
            )
            .where(*rollup.clauses, c.n > 0)
            .group_by(*rollup.keys, c.status, c.rating, c.callback_state, c.on_time, c.answered_on_time)
        )
        outcomes = union_all(*(tickets(*extra) for extra in rollup.live), counted).subquery("outcomes")
    o = outcomes.c
    completed = o.status.in_([s.value for s in COMPLETED_STATUSES])
    eligible = o.status.not_in(EXCLUDED)
    reached = o.callback_state.in_([CallbackState.SOLVED.value, CallbackState.UNSOLVED.value])
    sums = {
        "total": func.coalesce(func.sum(o.n), 0),
        "excluded": _sum_if(o.status.in_(EXCLUDED), o.n),
        "completed": _sum_if(completed, o.n),
        "closed": _sum_if(o.status == Status.CLOSED.value, o.n),
        "on_time": _sum_if(and_(completed, o.on_time), o.n),
        "responded_on_time": _sum_if(and_(eligible, o.answered_on_time), o.n),
        "response_due": _sum_if(and_(eligible, o.response_due), o.n),
        "satisfied": _sum_if(o.rating == Rating.SATISFIED.value, o.n),
        "basically_satisfied": _sum_if(o.rating == Rating.BASICALLY_SATISFIED.value, o.n),
        "rated": _sum_if(o.rating.is_not(None), o.n),
        "called_back": _sum_if(and_(completed, o.callback_state.is_not(None)), o.n),
        # A callback that found it unsolved reopened it: reached counts every status but the excluded ones.
        "reached": _sum_if(and_(eligible, reached), o.n),
        "verified_solved": _sum_if(and_(eligible, o.callback_state == CallbackState.SOLVED.value), o.n),
    }
    query = select(*(value.label(name) for name, value in sums.items()))
    for i, (_key, label) in enumerate(keys):
        row_key = label(o[f"k{i}"])  # one object in SELECT and GROUP BY: its bound values are one set of parameters
        query = query.add_columns(row_key.label(f"group_key_{i}")).group_by(row_key)
    return query


def warning_query(keys: list, clauses: list, as_of: datetime):
    """Open tickets counted by colour (and `awaiting`): rows of (group_key_0, …, colour, n)."""
    colour = case(
        (Ticket.status == Status.AWAITING_ENTERPRISE.value, literal_column("'awaiting'")),
        else_=Ticket.warning_sql(as_of),
    )
    open_tickets = (
        select(*(key.label(f"k{i}") for i, (key, _label) in enumerate(keys)), colour.label("colour"))
        .where(*clauses, Ticket.status.in_([s.value for s in OPEN_STATUSES]))
        .subquery("open_tickets")
    )
    t = open_tickets.c
    row_keys = [label(t[f"k{i}"]) for i, (_key, label) in enumerate(keys)]
    columns = [*(k.label(f"group_key_{i}") for i, k in enumerate(row_keys)), t.colour, func.count().label("n")]
    return select(*columns).group_by(*row_keys, t.colour)


def period_key(column, unit: str, dialect: str | None = None) -> ColumnElement:
    """The month or ISO week of a UTC timestamp column in Asia/Shanghai time, as a grouping key.

    China has kept UTC+8 without daylight saving since 1991, so shifting by a fixed eight hours is
    exact, and the same on both databases. PostgreSQL groups by date_trunc (immutable, so migration
    0002 can give the planner statistics on it) and formats the few groups; SQLite, before 3.46, has
    no ISO week format and computes it from the week's Thursday.
    """
    if (dialect or db.engine.dialect.name) == "postgresql":
        local = func.timezone(literal_column("'UTC'"), column) + literal_column("interval '8 hours'")
        return func.date_trunc(literal_column(f"'{unit}'"), local)
    local = func.datetime(column, "+8 hours")
    if unit == "month":
        return func.strftime("%Y-%m", local)
    monday_offset = (cast(func.strftime("%w", local), Integer) + 6) % 7
    thursday = func.date(local, func.printf("-%d days", monday_offset), "+3 days")
    week = (cast(func.strftime("%j", thursday), Integer) - 1) / 7 + 1
    return func.strftime("%Y", thursday) + "-W" + func.printf("%02d", week)


def counted_month_key() -> ColumnElement:
    """period_key(…, "month") of the rollup's months ('2026-03'), of the same type as the tickets' key."""
    if db.engine.dialect.name == "postgresql":
        return cast(COUNTED.month.concat("-01"), DateTime())
    return COUNTED.month


def period_label(unit: str):
    """The function that turns period_key's value into '2024-03' or '2024-W09'."""
    if db.engine.dialect.name == "postgresql":
        pattern = "'YYYY-MM'" if unit == "month" else "'IYYY-\"W\"IW'"
        return lambda key: func.to_char(key, literal_column(pattern))
    return lambda key: key
