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

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, true

from helpdesk.auth.models import Role, User
from helpdesk.jurisdictions.queries import subtree_ids


@dataclass(frozen=True)
class Scope:
    """A set of jurisdictions; `ids` None means every jurisdiction."""

    ids: frozenset[int] | None

    @property
    def everything(self) -> bool:
        return self.ids is None

    @property
    def nothing(self) -> bool:
        return self.ids is not None and not self.ids

    def __contains__(self, jurisdiction_id: object) -> bool:
        return self.ids is None or jurisdiction_id in self.ids

    def clause(self, column) -> ColumnElement:
        """`column IN (…)` for a column holding a jurisdiction id; TRUE for everything, FALSE for nothing."""
        if self.ids is None:
            return true()
        if not self.ids:
            return false()
        return column.in_(sorted(self.ids))


EVERYTHING = Scope(None)
NOTHING = Scope(frozenset())


def office_scope(user: User | None) -> Scope:
    """The jurisdictions a user works for: admins all, supervisors their subtree, cadres their department's."""
    if user is None:
        return NOTHING
    if user.role == Role.ADMIN:
        return EVERYTHING
    if user.role == Role.SUPERVISOR:
        return Scope(subtree_ids(user.jurisdiction_id))
    if user.role == Role.CADRE and user.department is not None:
        return Scope(subtree_ids(user.department.jurisdiction_id))
    return NOTHING


def supervised_scope(user: User | None) -> Scope:
    """The jurisdictions whose tickets a user supervises (reports, assigning, the board): admins all,
    supervisors their subtree, nobody else any."""
    if user is not None and user.role in (Role.ADMIN, Role.SUPERVISOR):
        return office_scope(user)
    return NOTHING
