"""The resolution-rate tracker (办结率, PRODUCT.md §6): figures for a scope, overall and grouped.

Every figure is a ratio of counts, and every count is aggregated in SQL: two queries per report
however many tickets the scope holds (see "SQL" below), plus a few lookups of reference data for
the labels (the queries are in sql.py, the figures from counts in figures.py). The overall figures of a
grouped report are the sums of its rows' counts — each ticket falls in exactly one row — so a grouped
report costs no extra scan. docs/PERFORMANCE.md has the plans.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from flask import current_app
from sqlalchemy import ColumnElement, case, func, select

from helpdesk.auth.models import Role, User
from helpdesk.calendar.workdays import SHANGHAI
from helpdesk.db import utcnow
from helpdesk.dbsetup import PLANNED_EACH_TIME
from helpdesk.errors import NotAllowed, ValidationFailed
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Category, Department
from helpdesk.jurisdictions.queries import JurisdictionTree, jurisdiction_tree
from helpdesk.jurisdictions.scope import supervised_scope
from helpdesk.reports.figures import GROUPS, Counts, Report, ReportScope, Row, figures_from
from helpdesk.reports.sql import (
    COUNTED,
    RollupRead,
    counted_month_key,
    outcome_query,
    period_key,
    period_label,
    warning_query,
)
from helpdesk.tickets.models import Ticket

# Who may read the report (each in its scope); the API refuses the others before reading the query.
REPORT_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.CADRE)
REPORTS_REFUSED = "Reports are for government users."

_NO_GROUP_LABELS = {
    "department": ("未分配部门", "No department"),
    "cadre": ("未分配", "Unassigned"),
    "jurisdiction": ("其他", "Other"),
}


# -- scope --------------------------------------------------------------------------------------------


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=SHANGHAI).astimezone(UTC)


def _check_arguments(group_by, category, date_from, date_to) -> Category | None:
    if group_by is not None and group_by not in GROUPS:
        raise ValidationFailed("group_by must be one of %(groups)s.", field="group_by", groups=", ".join(GROUPS))
    if date_from is not None and date_to is not None and date_from >= date_to:
        raise ValidationFailed("'to' must be after 'from' (the period is [from, to)).", field="to")
    if category is None:
        return None
    found = db.session.scalar(select(Category).where(Category.code == category))
    if found is None:
        raise ValidationFailed("Unknown category %(code)r.", field="category", code=category)
    return found


def _scope(viewer: User, tree: JurisdictionTree, jurisdiction_id, department_id, cadre_id):
    """(root of the jurisdiction rows, WHERE clauses) for what the viewer may see of the asked scope."""
    if jurisdiction_id is not None and jurisdiction_id not in tree.by_id:
        raise ValidationFailed("Unknown jurisdiction %(id)s.", field="jurisdiction_id", id=jurisdiction_id)
    if department_id is not None and db.session.get(Department, department_id) is None:
        raise ValidationFailed("Unknown department %(id)s.", field="department_id", id=department_id)
    clauses: list[ColumnElement] = []
    if viewer.role == Role.SUPERVISOR:
        if jurisdiction_id is not None and jurisdiction_id not in supervised_scope(viewer):
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
        # Even the whole tree is listed: the report's index leads with the jurisdiction (ix_tickets_report),
        # and with the list PostgreSQL reads a period of each county from the index alone, not from the table.
        clauses.append(Ticket.jurisdiction_id.in_(sorted(tree.subtree(root))))
    if department_id is not None:
        clauses.append(Ticket.department_id == department_id)
    if cadre_id is not None:
        clauses.append(Ticket.assignee_id == cadre_id)
    return root, clauses


def _rows_root(root: int | None, tree: JurisdictionTree) -> int | None:
    """Whose children the jurisdiction rows are: the scope's root, or the province when there is one."""
    if root is None and len(tree.children(None)) == 1:
        return tree.children(None)[0].id
    return root


def _group_key(group_by: str, root: int | None, tree: JurisdictionTree):
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


def _labels(group_by: str, keys: list, tree: JurisdictionTree, english: bool) -> dict:
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


# The groupings the rollup counts by; it has no category and no assignee (rollup.py).
ROLLUP_GROUPS = ("jurisdiction", "department", "month")


def _first_of_month(day: date, months_later: int = 0) -> date:
    month = day.year * 12 + day.month - 1 + months_later
    return date(month // 12, month % 12 + 1, 1)


def _rollup_read(group_bys, root, tree: JurisdictionTree, scope: ReportScope, date_from, date_to) -> RollupRead | None:
    """The split of the report between the rollup (its period's full local months) and the tickets (the days
    before and after them, and every unanswered ticket), or None when the rollup cannot serve it."""
    if scope.cadre_id is not None or scope.category is not None or any(g not in ROLLUP_GROUPS for g in group_bys):
        return None
    first = None if date_from is None else date_from if date_from.day == 1 else _first_of_month(date_from, 1)
    end = None if date_to is None else _first_of_month(date_to)
    if first is not None and end is not None and first >= end:
        return None  # not one full month
    c = COUNTED
    keys = {"jurisdiction": c.jurisdiction_id, "department": func.nullif(c.department_id, 0)}
    clauses = []
    if root is not None:
        clauses.append(c.jurisdiction_id.in_(sorted(tree.subtree(root))))
    if scope.department_id is not None:
        clauses.append(c.department_id == scope.department_id)
    full = []  # the full months, as filing instants
    if first is not None:
        clauses.append(c.month >= f"{first.year}-{first.month:02d}")
        full.append(Ticket.created_at >= _local_midnight(first))
    if end is not None:
        clauses.append(c.month < f"{end.year}-{end.month:02d}")
        full.append(Ticket.created_at < _local_midnight(end))
    live = [[*full, Ticket.first_response_at.is_(None)]]
    if first is not None and date_from is not None and date_from < first:
        live.append([Ticket.created_at < _local_midnight(first)])
    if end is not None and date_to is not None and end < date_to:
        live.append([Ticket.created_at >= _local_midnight(end)])
    month = counted_month_key() if "month" in group_bys else None
    return RollupRead([month if g == "month" else keys[g] for g in group_bys], clauses, live)


def _sort_key(row: Row):
    # Rows by key; the row without a key (unassigned, no department) last.
    return (row.key is None, row.key if row.key is not None else 0)


def resolution_report(viewer: User, *, group_by: str | None = None, **scope) -> Report:
    """The §6 figures of what `viewer` may see of the asked scope, overall and by `group_by`.

    The scope: jurisdiction_id, department_id, cadre_id, category, and the period [date_from, date_to) of
    filing dates in Asia/Shanghai; as_of and locale. Raises NotAllowed for enterprise users and for a
    jurisdiction outside a supervisor's, ValidationFailed for bad input.
    """
    return resolution_reports(viewer, (group_by,) if group_by else (), **scope)[group_by]


def resolution_reports(
    viewer: User,
    group_bys: tuple[str, ...],
    *,
    jurisdiction_id: int | None = None,
    department_id: int | None = None,
    cadre_id: int | None = None,
    category: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    as_of: datetime | None = None,
    locale: str | None = None,
) -> dict[str | None, Report]:
    """Reports of one scope by several groupings (and overall, under None) from one pair of queries: the
    tickets are grouped by every key at once, and each grouping adds its rows up from those groups."""
    if viewer.role not in REPORT_ROLES:
        raise NotAllowed(REPORTS_REFUSED)
    as_of = as_of or utcnow()
    category_obj = None
    for group_by in group_bys or (None,):
        category_obj = _check_arguments(group_by, category, date_from, date_to)
    tree = jurisdiction_tree()
    root, clauses = _scope(viewer, tree, jurisdiction_id, department_id, cadre_id)
    cadre_id = viewer.id if viewer.role == Role.CADRE else cadre_id
    scope = ReportScope(root, department_id, cadre_id, category, date_from, date_to)
    if category_obj is not None:
        clauses.append(Ticket.category_id == category_obj.id)
    if date_from is not None:
        clauses.append(Ticket.created_at >= _local_midnight(date_from))
    if date_to is not None:
        clauses.append(Ticket.created_at < _local_midnight(date_to))

    target = float(current_app.config["COMPLETION_TARGET"])
    weights = current_app.config["SCORE_WEIGHTS"]
    rows_root = _rows_root(root, tree)
    keys = [_group_key(g, rows_root if g == "jurisdiction" else root, tree) for g in group_bys]

    # Counts per combination of keys, then added up per grouping (and overall).
    per_key: list[dict] = [{} for _ in group_bys]
    overall = Counts()
    rollup = _rollup_read(group_bys, root, tree, scope, date_from, date_to)
    for r in db.session.execute(outcome_query(keys, clauses, as_of, rollup), execution_options=PLANNED_EACH_TIME):
        values = r._asdict()
        group_keys = [values.pop(f"group_key_{i}") for i in range(len(group_bys))]
        counts = Counts(**{name: int(value) for name, value in values.items()})
        overall = overall + counts
        for i, group_key in enumerate(group_keys):
            per_key[i][group_key] = per_key[i].get(group_key, Counts()) + counts
    for row in db.session.execute(warning_query(keys, clauses, as_of), execution_options=PLANNED_EACH_TIME):
        *group_keys, colour, n = row
        setattr(overall, colour, getattr(overall, colour) + int(n))
        for i, group_key in enumerate(group_keys):
            counts = per_key[i].setdefault(group_key, Counts())
            setattr(counts, colour, getattr(counts, colour) + int(n))

    overall_figures = figures_from(overall, target, weights)
    reports: dict[str | None, Report] = {None: Report(target, as_of, overall_figures, [], None, scope)}
    english = (locale or "").startswith("en")
    for group_by, groups in zip(group_bys, per_key):
        if group_by == "jurisdiction":  # the board shows every child jurisdiction, quiet ones too
            children = [j.id for j in tree.children(rows_root)] or ([rows_root] if rows_root is not None else [])
            for child in children:
                groups.setdefault(child, Counts())
        labels = _labels(group_by, list(groups), tree, english=english)
        rows = [Row(labels[k][0], labels[k][1], figures_from(c, target, weights)) for k, c in groups.items()]
        rows.sort(key=_sort_key)
        reports[group_by] = Report(target, as_of, overall_figures, rows, group_by, scope)
    return reports
