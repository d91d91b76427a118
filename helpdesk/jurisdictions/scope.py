"""Who covers which jurisdictions: the one home of the scope rule (PRODUCT.md §7).

- an admin covers every jurisdiction;
- a supervisor covers its jurisdiction's subtree, and supervises the tickets of enterprises there;
- a cadre works for its department's jurisdiction subtree (the enterprises it may see and register),
  but supervises nothing: the tickets it sees follow its work (tickets/queries.py);
- an enterprise user covers no jurisdiction: it sees its own company only.

Ticket visibility (tickets/queries.py), enterprise visibility (enterprises/queries.py), the workflow's
"supervisor" party, the reports' scope and every page's choice of jurisdictions are built on these
two functions, so a change to who sees what is one edit here.
"""

from __future__ import annotations

from functools import cached_property

from sqlalchemy import ColumnElement, Select, false, select, true

from helpdesk.auth.models import Role, User
from helpdesk.jurisdictions.models import Department
from helpdesk.jurisdictions.queries import subtree_ids


class Scope:
    """The subtrees below some root jurisdictions; `roots` None means every jurisdiction.

    Its ids come from the jurisdiction tree (read once per request), and a WHERE clause lists them:
    the planner then estimates an IN list of a few ids far better than a recursive subquery (a red-ticket
    list of a county took 1.2 s with the subquery at 1M tickets, milliseconds with the list).
    A root may be a SELECT of one jurisdiction id (a cadre's department's jurisdiction).
    """

    def __init__(self, roots: frozenset | None):
        self.roots = roots

    @property
    def everything(self) -> bool:
        return self.roots is None

    @property
    def nothing(self) -> bool:
        return self.roots is not None and not self.roots

    @cached_property
    def ids(self) -> frozenset[int] | None:
        if self.roots is None:
            return None
        found: set[int] = set()
        for root in self.roots:
            found |= subtree_ids(root if isinstance(root, int) else _scalar(root))
        return frozenset(found)

    @property
    def whole_tree(self) -> bool:
        """Every jurisdiction there is (no roots, or a province's subtree): a NOT NULL jurisdiction column
        then needs no condition at all."""
        from helpdesk.jurisdictions.queries import jurisdiction_tree

        return self.roots is None or self.ids == frozenset(jurisdiction_tree().by_id)

    def __contains__(self, jurisdiction_id: object) -> bool:
        return self.roots is None or jurisdiction_id in self.ids

    def clause(self, column) -> ColumnElement:
        """`column IN (the subtree)` for a column holding a jurisdiction id; TRUE for everything, FALSE for nothing."""
        if self.roots is None:
            return true()
        ids = self.ids
        return column.in_(sorted(ids)) if ids else false()


def _scalar(query) -> int | None:
    from helpdesk.extensions import db

    return db.session.scalar(query)


def subtree_select(roots) -> Select:
    """SELECT the ids of the subtrees below `roots` (ids, or an expanding parameter) as a recursive subquery: for a
    statement that reads one row by its key, where the planner's estimate of an IN list does not matter and the
    request need not read the tree (tickets/queries.py, a ticket by id)."""
    from helpdesk.jurisdictions.models import Jurisdiction

    below = select(Jurisdiction.id).where(Jurisdiction.id.in_(roots)).cte("scope_subtree", recursive=True)
    below = below.union_all(select(Jurisdiction.id).where(Jurisdiction.parent_id == below.c.id))
    return select(below.c.id)


EVERYTHING = Scope(None)
NOTHING = Scope(frozenset())


def office_scope(user: User | None) -> Scope:
    """The jurisdictions a user works for: admins all, supervisors their subtree, cadres their department's."""
    if user is None:
        return NOTHING
    if user.role == Role.ADMIN:
        return EVERYTHING
    if user.role == Role.SUPERVISOR:
        return Scope(frozenset({user.jurisdiction_id}))
    if user.role == Role.CADRE and user.department_id is not None:
        return Scope(frozenset({select(Department.jurisdiction_id).where(Department.id == user.department_id)}))
    return NOTHING


def supervised_scope(user: User | None) -> Scope:
    """The jurisdictions whose tickets a user supervises (reports, assigning, the board): admins all,
    supervisors their subtree, nobody else any."""
    if user is not None and user.role in (Role.ADMIN, Role.SUPERVISOR):
        return office_scope(user)
    return NOTHING
