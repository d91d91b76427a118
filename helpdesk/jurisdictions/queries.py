"""Selects over the jurisdiction tree."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Jurisdiction


def subtree_ids(root_id: int) -> list[int]:
    """The ids of a jurisdiction and every jurisdiction below it (a recursive CTE)."""
    tree = select(Jurisdiction.id).where(Jurisdiction.id == root_id).cte("tree", recursive=True)
    tree = tree.union_all(select(Jurisdiction.id).where(Jurisdiction.parent_id == tree.c.id))
    return list(db.session.scalars(select(tree.c.id)))


def ancestors(jurisdiction: Jurisdiction) -> list[Jurisdiction]:
    """The jurisdiction itself, then its parent, up to the province."""
    chain = []
    node: Jurisdiction | None = jurisdiction
    while node is not None:
        chain.append(node)
        node = node.parent
    return chain


def ticket_prefix(jurisdiction: Jurisdiction) -> str:
    """The nearest ticket prefix up the tree (ZK for every county of Zhoukou)."""
    for node in ancestors(jurisdiction):
        if node.ticket_prefix:
            return node.ticket_prefix
    return "HD"
