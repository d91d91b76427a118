"""Common issues (共性问题) in the dashboard's figures: how many, the tickets linked, the enterprises reached,
by child jurisdiction of the board and by category. Aggregated in SQL over the linked tickets the viewer may
see, filed in the period (three GROUP BY queries, identical on SQLite and PostgreSQL).

A common issue is counted in every division (and category) it reaches, so the rows of a table may add up to
more issues than the total, which counts each once; tickets and enterprises add up (an enterprise is in one
county). Linked tickets count in the completion figures like any other ticket: nothing there changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select

from helpdesk.auth.models import User
from helpdesk.calendar.workdays import start_of_day
from helpdesk.common_issues.models import CommonIssue, IssueStatus
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Category
from helpdesk.jurisdictions.queries import jurisdiction_tree, subtree_ids
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.queries import ticket_visibility


@dataclass
class Reached:
    """Common issues, the tickets linked to them and the distinct enterprises those tickets come from."""

    issues: int = 0
    resolved_issues: int = 0
    tickets: int = 0
    enterprises: int = 0

    def as_dict(self) -> dict:
        return {
            "issues": self.issues,
            "resolved_issues": self.resolved_issues,
            "tickets": self.tickets,
            "enterprises": self.enterprises,
        }


@dataclass
class ReachRow:
    key: int | str
    label: str
    reached: Reached

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, **self.reached.as_dict()}


@dataclass
class CommonIssueReport:
    overall: Reached
    by_jurisdiction: list[ReachRow] = field(default_factory=list)
    by_category: list[ReachRow] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "overall": self.overall.as_dict(),
            "by_jurisdiction": [row.as_dict() for row in self.by_jurisdiction],
            "by_category": [row.as_dict() for row in self.by_category],
        }


def _figures(group=None):
    resolved = func.count(case((CommonIssue.status == IssueStatus.RESOLVED.value, CommonIssue.id)).distinct())
    columns = [
        func.count(CommonIssue.id.distinct()),
        resolved,
        func.count(Ticket.id),
        func.count(Ticket.enterprise_id.distinct()),
    ]
    return [*([group] if group is not None else []), *columns]


def common_issue_report(
    viewer: User,
    *,
    root: int | None = None,
    category: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    label=lambda obj: obj.name,
) -> CommonIssueReport:
    """The figures of the linked tickets `viewer` may see under `root` (its subtree), filed in the period."""

    def query(*columns):
        q = (
            select(*columns)
            .select_from(Ticket)
            .join(CommonIssue, CommonIssue.id == Ticket.common_issue_id)
            .where(ticket_visibility(viewer))
        )
        if root is not None:
            q = q.where(Ticket.jurisdiction_id.in_(sorted(subtree_ids(root))))
        if category:
            q = q.where(Ticket.category_id.in_(select(Category.id).where(Category.code == category)))
        if date_from is not None:
            q = q.where(Ticket.created_at >= start_of_day(date_from))
        if date_to is not None:
            q = q.where(Ticket.created_at < start_of_day(date_to))
        return q

    overall = Reached(*db.session.execute(query(*_figures())).one())
    tree = jurisdiction_tree()
    by_child: dict[int, list[int]] = {}
    for county, issues, resolved, tickets, enterprises in db.session.execute(
        query(*_figures(Ticket.jurisdiction_id)).group_by(Ticket.jurisdiction_id)
    ):
        child = tree.child_towards(root, county) if root is not None else county
        totals = by_child.setdefault(child, [0, 0, 0, 0])
        for n, value in enumerate((issues, resolved, tickets, enterprises)):
            totals[n] += value
    by_jurisdiction = [
        ReachRow(key, label(tree.by_id[key]), Reached(*values))
        for key, values in sorted(by_child.items(), key=lambda kv: tree.by_id[kv[0]].code)
        if key in tree.by_id
    ]
    categories = {c.id: c for c in db.session.scalars(select(Category))}
    by_category = [
        ReachRow(categories[cid].code, label(categories[cid]), Reached(issues, resolved, tickets, enterprises))
        for cid, issues, resolved, tickets, enterprises in db.session.execute(
            query(*_figures(Ticket.category_id)).group_by(Ticket.category_id).order_by(Ticket.category_id)
        )
    ]
    by_category.sort(key=lambda row: (-row.reached.tickets, row.key))
    return CommonIssueReport(overall, by_jurisdiction, by_category)
