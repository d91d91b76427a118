"""The resolution-rate tracker (办结率, PRODUCT.md §6): figures for a scope, overall and grouped.

Every figure is a ratio of counts, and every count is aggregated in SQL: two queries per report
however many tickets the scope holds (see "SQL" below), plus a few lookups of reference data for
the labels. The overall figures of a grouped report are the sums of its rows' counts — each ticket
falls in exactly one row — so a grouped report costs no extra scan. docs/PERFORMANCE.md has the plans.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time
from decimal import ROUND_CEILING, Decimal

from flask import current_app
from sqlalchemy import ColumnElement, Integer, and_, case, cast, func, literal, literal_column, or_, select

from helpdesk.auth.models import Role, User
from helpdesk.calendar.workdays import SHANGHAI
from helpdesk.db import UTCDateTime, utcnow
from helpdesk.errors import NotAllowed, ValidationFailed
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Category, Department, Jurisdiction
from helpdesk.tickets.models import COMPLETED_STATUSES, OPEN_STATUSES, Rating, Status, Ticket

GROUPS = ("jurisdiction", "department", "cadre", "category", "month", "week")
WARNINGS = ("green", "yellow", "orange", "red", "awaiting")
# Who may read the report (each in its scope); the API refuses the others before reading the query.
REPORT_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.CADRE)
REPORTS_REFUSED = "Reports are for government users."
# Withdrawn and declined tickets leave the denominator of every rate (§6 "eligible").
EXCLUDED = (Status.WITHDRAWN.value, Status.DECLINED.value)
# 基本满意 counts nine tenths of 满意: the 12345 hotlines' convention.
BASICALLY_SATISFIED_WEIGHT = Decimal("0.9")
SCORED_RATES = ("response_rate", "completion_rate", "satisfaction_rate")

_NO_GROUP_LABELS = {
    "department": ("未分配部门", "No department"),
    "cadre": ("未分配", "Unassigned"),
    "jurisdiction": ("其他", "Other"),
}


@dataclass
class Counts:
    """The raw conditional sums behind one set of figures; they add up across rows."""

    total: int = 0
    excluded: int = 0
    completed: int = 0
    closed: int = 0
    on_time: int = 0
    responded_on_time: int = 0
    response_due: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    rated: int = 0
    green: int = 0
    yellow: int = 0
    orange: int = 0
    red: int = 0
    awaiting: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{name: getattr(self, name) + getattr(other, name) for name in COUNT_NAMES})


COUNT_NAMES = tuple(Counts.__dataclass_fields__)


@dataclass
class Figures:
    """The §6 figures of one scope or one row."""

    total: int
    eligible: int
    completed: int
    closed: int
    completion_rate: float | None
    closed_rate: float | None
    on_time_rate: float | None
    response_rate: float | None
    satisfaction_rate: float | None
    open_by_warning: dict[str, int] = field(default_factory=dict)  # green, yellow, orange, red, awaiting
    gap_to_target: int = 0
    meets_target: bool | None = None
    score: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Row:
    """One group of a report: a child jurisdiction, a department, a cadre, a category, a month or a week."""

    key: int | str | None
    label: str
    figures: Figures

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, **self.figures.as_dict()}


@dataclass
class Report:
    target: float
    as_of: datetime
    overall: Figures
    rows: list[Row]
    group_by: str | None = None

    def as_dict(self) -> dict:
        return {
            "target": self.target,
            "as_of": self.as_of.astimezone(UTC).isoformat(),
            "overall": self.overall.as_dict(),
            "rows": [row.as_dict() for row in self.rows],
        }


# -- figures from counts ----------------------------------------------------------------------------


def _rate(numerator: int | Decimal, denominator: int) -> float | None:
    return float(Decimal(numerator) / Decimal(denominator)) if denominator else None


def gap_to_target(target: float, eligible: int, completed: int) -> int:
    """max(0, ⌈target × eligible⌉ − completed), in decimal: 0.99 × 626 is 619.74, never 619.7400000001."""
    needed = (Decimal(str(target)) * eligible).to_integral_value(rounding=ROUND_CEILING)
    return max(0, int(needed) - completed)


def score(rates: dict[str, float | None], weights: dict[str, float]) -> float | None:
    """综合成绩: 100 × Σ wᵢ·rateᵢ / Σ wᵢ over the rates that are not null; null when none is."""
    present = [(float(weights.get(name, 0)), rates[name]) for name in SCORED_RATES if rates[name] is not None]
    total_weight = sum(weight for weight, _ in present)
    if not present or total_weight <= 0:
        return None
    return 100 * sum(weight * rate for weight, rate in present) / total_weight


def figures_from(counts: Counts, target: float, weights: dict[str, float]) -> Figures:
    eligible = counts.total - counts.excluded
    satisfaction = counts.satisfied + BASICALLY_SATISFIED_WEIGHT * counts.basically_satisfied
    rates = {
        "completion_rate": _rate(counts.completed, eligible),
        "closed_rate": _rate(counts.closed, eligible),
        "on_time_rate": _rate(counts.on_time, counts.completed),
        "response_rate": _rate(counts.responded_on_time, counts.response_due),
        "satisfaction_rate": _rate(satisfaction, counts.rated),
    }
    gap = gap_to_target(target, eligible, counts.completed)
    return Figures(
        total=counts.total,
        eligible=eligible,
        completed=counts.completed,
        closed=counts.closed,
        **rates,
        open_by_warning={name: getattr(counts, name) for name in WARNINGS},
        gap_to_target=gap,
        # completed ≥ target × eligible exactly when no completion is missing (completed is whole).
        meets_target=None if rates["completion_rate"] is None else gap == 0,
        score=score(rates, weights),
    )


# -- SQL ---------------------------------------------------------------------------------------------
#
# Two queries per report. The first reads every ticket in scope, but only groups it: by the row key,
# status, rating and three deadline flags; conditional sums over those few groups give the counts.
# Grouping costs one hash per ticket where fourteen conditional sums cost fourteen expressions, and
# it lets PostgreSQL aggregate in parallel. The second reads only open tickets (the partial index
# ix_tickets_open holds them) for the colours of §5, which depend on `as_of`.


def _sum_if(condition: ColumnElement, n: ColumnElement) -> ColumnElement:
    return func.coalesce(func.sum(case((condition, n), else_=0)), 0)


def outcome_query(key: ColumnElement | None, label, clauses: list, as_of: datetime):
    """Counts of everything but the colours: one row per key (or one row), columns named as in Counts."""
    now = literal(as_of, UTCDateTime)
    flags = {
        "on_time": Ticket.resolved_at <= Ticket.due_at,
        "answered_on_time": Ticket.first_response_at <= Ticket.response_due_at,
        # Answered, or the response deadline has passed: the denominator of response_rate.
        "response_due": or_(Ticket.first_response_at.is_not(None), Ticket.response_due_at < now),
    }
    keys = [key.label("k")] if key is not None else []
    # The same expression objects in SELECT and GROUP BY, so that their bound `now` is one parameter.
    grouped = [
        *keys,
        Ticket.status.label("status"),
        Ticket.rating.label("rating"),
        *(expression.label(name) for name, expression in flags.items()),
    ]
    outcomes = (
        select(*grouped, func.count().label("n"))
        .where(*clauses)
        .group_by(*([key] if key is not None else []), Ticket.status, Ticket.rating, *flags.values())
        .subquery("outcomes")
    )
    o = outcomes.c
    completed = o.status.in_([s.value for s in COMPLETED_STATUSES])
    eligible = o.status.not_in(EXCLUDED)
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
    }
    query = select(*(value.label(name) for name, value in sums.items()))
    if key is not None:
        row_key = label(o.k)  # one object in SELECT and GROUP BY: its bound values are one set of parameters
        query = query.add_columns(row_key.label("group_key")).group_by(row_key)
    return query


def warning_query(key: ColumnElement | None, label, clauses: list, as_of: datetime):
    """Open tickets counted by colour (and `awaiting`): rows of (group_key, colour, n)."""
    colour = case(
        (Ticket.status == Status.AWAITING_ENTERPRISE.value, literal_column("'awaiting'")),
        else_=Ticket.warning_sql(as_of),
    )
    open_tickets = (
        select(*([key.label("k")] if key is not None else []), colour.label("colour"))
        .where(*clauses, Ticket.status.in_([s.value for s in OPEN_STATUSES]))
        .subquery("open_tickets")
    )
    t = open_tickets.c
    row_key = label(t.k) if key is not None else literal_column("NULL")
    return select(row_key.label("group_key"), t.colour, func.count().label("n")).group_by(
        *([row_key] if key is not None else []), t.colour
    )


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


def period_label(unit: str):
    """The function that turns period_key's value into '2024-03' or '2024-W09'."""
    if db.engine.dialect.name == "postgresql":
        pattern = "'YYYY-MM'" if unit == "month" else "'IYYY-\"W\"IW'"
        return lambda key: func.to_char(key, literal_column(pattern))
    return lambda key: key


# -- scope --------------------------------------------------------------------------------------------


@dataclass
class _Jurisdictions:
    """The (small) jurisdiction tree, loaded once per report."""

    by_id: dict[int, Jurisdiction]

    @classmethod
    def load(cls) -> _Jurisdictions:
        return cls({j.id: j for j in db.session.scalars(select(Jurisdiction))})

    def children(self, parent_id: int | None) -> list[Jurisdiction]:
        return sorted((j for j in self.by_id.values() if j.parent_id == parent_id), key=lambda j: j.id)

    def subtree(self, root_id: int) -> set[int]:
        found, frontier = {root_id}, [root_id]
        while frontier:
            frontier = [j.id for j in self.by_id.values() if j.parent_id in frontier]
            found.update(frontier)
        return found

    def child_towards(self, root_id: int | None, jurisdiction_id: int) -> int | None:
        """The child of root on the way down to jurisdiction (the jurisdiction itself when it is root)."""
        node = self.by_id.get(jurisdiction_id)
        while node is not None:
            if node.parent_id == root_id or node.id == root_id:
                return node.id
            node = self.by_id.get(node.parent_id) if node.parent_id is not None else None
        return None


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=SHANGHAI).astimezone(UTC)


def _check_arguments(group_by, category, date_from, date_to) -> Category | None:
    if group_by is not None and group_by not in GROUPS:
        raise ValidationFailed(f"group_by must be one of {', '.join(GROUPS)}.", field="group_by")
    if date_from is not None and date_to is not None and date_from >= date_to:
        raise ValidationFailed("'to' must be after 'from' (the period is [from, to)).", field="to")
    if category is None:
        return None
    found = db.session.scalar(select(Category).where(Category.code == category))
    if found is None:
        raise ValidationFailed(f"Unknown category {category!r}.", field="category")
    return found


def _scope(viewer: User, tree: _Jurisdictions, jurisdiction_id, department_id, cadre_id):
    """(root of the jurisdiction rows, WHERE clauses) for what the viewer may see of the asked scope."""
    if jurisdiction_id is not None and jurisdiction_id not in tree.by_id:
        raise ValidationFailed(f"Unknown jurisdiction {jurisdiction_id}.", field="jurisdiction_id")
    if department_id is not None and db.session.get(Department, department_id) is None:
        raise ValidationFailed(f"Unknown department {department_id}.", field="department_id")
    clauses: list[ColumnElement] = []
    if viewer.role == Role.SUPERVISOR:
        own = tree.subtree(viewer.jurisdiction_id)
        if jurisdiction_id is not None and jurisdiction_id not in own:
            raise NotAllowed("That jurisdiction is outside yours.")
        root = jurisdiction_id if jurisdiction_id is not None else viewer.jurisdiction_id
    elif viewer.role == Role.CADRE:
        if cadre_id is not None and cadre_id != viewer.id:
            raise NotAllowed("A cadre sees the report of its own tickets only.")
        cadre_id = viewer.id
        root = jurisdiction_id
    else:
        root = jurisdiction_id
    if root is not None:
        ids = tree.subtree(root)
        if len(ids) != len(tree.by_id):  # the whole tree needs no filter
            clauses.append(Ticket.jurisdiction_id.in_(sorted(ids)))
    if department_id is not None:
        clauses.append(Ticket.department_id == department_id)
    if cadre_id is not None:
        clauses.append(Ticket.assignee_id == cadre_id)
    return root, clauses


def _rows_root(root: int | None, tree: _Jurisdictions) -> int | None:
    """Whose children the jurisdiction rows are: the scope's root, or the province when there is one."""
    if root is None and len(tree.children(None)) == 1:
        return tree.children(None)[0].id
    return root


def _group_key(group_by: str, root: int | None, tree: _Jurisdictions):
    """(the SQL expression rows are grouped by, the function that turns it into the row's key)."""
    same = lambda key: key  # noqa: E731
    if group_by == "jurisdiction":
        # Tickets are grouped by their own county; the few groups are then added up into the root's
        # children (a county into its city, for the province) — a CASE per group, not per ticket.
        mapping = {j: tree.child_towards(root, j) for j in tree.by_id}
        mapping = {j: child for j, child in mapping.items() if child is not None}
        if all(j == child for j, child in mapping.items()):
            return Ticket.jurisdiction_id, same
        return Ticket.jurisdiction_id, lambda key: case(mapping, value=key, else_=None)
    if group_by in ("month", "week"):
        return period_key(Ticket.created_at, group_by), period_label(group_by)
    return {"department": Ticket.department_id, "cadre": Ticket.assignee_id, "category": Ticket.category_id}[
        group_by
    ], same


def _labels(group_by: str, keys: list, tree: _Jurisdictions, english: bool) -> dict:
    """key → (display key, label) for the rows' keys, with a few small lookups of reference data."""
    ids = [k for k in keys if k is not None]
    none_label = _NO_GROUP_LABELS.get(group_by, ("—", "—"))[1 if english else 0]
    result: dict = {None: (None, none_label)}
    if group_by == "jurisdiction":
        for k in ids:
            result[k] = (k, tree.by_id[k].display_name("en" if english else None))
    elif group_by == "department":
        for d in db.session.scalars(select(Department).where(Department.id.in_(ids))):
            result[d.id] = (d.id, d.display_name("en" if english else None))
    elif group_by == "cadre":
        for user_id, name in db.session.execute(select(User.id, User.name).where(User.id.in_(ids))):
            result[user_id] = (user_id, name)
    elif group_by == "category":
        for c in db.session.scalars(select(Category).where(Category.id.in_(ids))):
            result[c.id] = (c.code, c.display_name("en" if english else None))
    else:
        for k in ids:
            result[k] = (k, k)
    return result


def _sort_key(row: Row):
    # Rows by key; the row without a key (unassigned, no department) last.
    return (row.key is None, row.key if row.key is not None else 0)


def resolution_report(
    viewer: User,
    *,
    group_by: str | None = None,
    jurisdiction_id: int | None = None,
    department_id: int | None = None,
    cadre_id: int | None = None,
    category: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    as_of: datetime | None = None,
    locale: str | None = None,
) -> Report:
    """The §6 figures of what `viewer` may see of the asked scope, overall and by `group_by`.

    The period [date_from, date_to) is of filing dates in Asia/Shanghai. Raises NotAllowed for
    enterprise users and for a jurisdiction outside a supervisor's, ValidationFailed for bad input.
    """
    if viewer.role not in REPORT_ROLES:
        raise NotAllowed(REPORTS_REFUSED)
    as_of = as_of or utcnow()
    category_obj = _check_arguments(group_by, category, date_from, date_to)
    tree = _Jurisdictions.load()
    root, clauses = _scope(viewer, tree, jurisdiction_id, department_id, cadre_id)
    if category_obj is not None:
        clauses.append(Ticket.category_id == category_obj.id)
    if date_from is not None:
        clauses.append(Ticket.created_at >= _local_midnight(date_from))
    if date_to is not None:
        clauses.append(Ticket.created_at < _local_midnight(date_to))

    target = float(current_app.config["COMPLETION_TARGET"])
    weights = current_app.config["SCORE_WEIGHTS"]
    if group_by == "jurisdiction":
        root = _rows_root(root, tree)
    key, label = _group_key(group_by, root, tree) if group_by else (None, None)

    per_key: dict = {}
    for r in db.session.execute(outcome_query(key, label, clauses, as_of)):
        values = r._asdict()
        group_key = values.pop("group_key", None)
        per_key[group_key] = Counts(**{name: int(value) for name, value in values.items()})
    for group_key, colour, n in db.session.execute(warning_query(key, label, clauses, as_of)):
        counts = per_key.setdefault(group_key, Counts())
        setattr(counts, colour, getattr(counts, colour) + int(n))
    overall = sum(per_key.values(), Counts())
    if group_by is None:
        return Report(target, as_of, figures_from(overall, target, weights), [], None)

    if group_by == "jurisdiction":  # the board shows every child jurisdiction, quiet ones too
        children = [j.id for j in tree.children(root)] or ([root] if root is not None else [])
        for child in children:
            per_key.setdefault(child, Counts())
    labels = _labels(group_by, list(per_key), tree, english=(locale or "").startswith("en"))
    rows = [Row(labels[k][0], labels[k][1], figures_from(counts, target, weights)) for k, counts in per_key.items()]
    rows.sort(key=_sort_key)
    return Report(target, as_of, figures_from(overall, target, weights), rows, group_by)
