"""The jurisdiction tree (province → city → county), read once per request."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Jurisdiction


@dataclass
class JurisdictionTree:
    """Every jurisdiction by id: the tree is small (a province has a few hundred nodes at most)."""

    by_id: dict[int, Jurisdiction]

    @classmethod
    def load(cls) -> JurisdictionTree:
        return cls({j.id: j for j in db.session.scalars(select(Jurisdiction))})

    def children(self, parent_id: int | None) -> list[Jurisdiction]:
        return sorted((j for j in self.by_id.values() if j.parent_id == parent_id), key=lambda j: j.id)

    def subtree(self, root_id: int) -> frozenset[int]:
        """The jurisdiction and every jurisdiction below it (empty for an unknown id)."""
        if root_id not in self.by_id:
            return frozenset()
        found, frontier = {root_id}, {root_id}
        while frontier:
            frontier = {j.id for j in self.by_id.values() if j.parent_id in frontier}
            found |= frontier
        return frozenset(found)

    def child_towards(self, root_id: int | None, jurisdiction_id: int) -> int | None:
        """The child of root on the way down to jurisdiction (the jurisdiction itself when it is root)."""
        node = self.by_id.get(jurisdiction_id)
        while node is not None:
            if node.parent_id == root_id or node.id == root_id:
                return node.id
            node = self.by_id.get(node.parent_id) if node.parent_id is not None else None
        return None


def jurisdiction_tree() -> JurisdictionTree:
    """The tree, loaded once per request (outside a request, e.g. in a command, loaded on each call)."""
    if not has_request_context():
        return JurisdictionTree.load()
    tree = g.get("_jurisdiction_tree")
    if tree is None:
        tree = g._jurisdiction_tree = JurisdictionTree.load()
    return tree


def categories_by_code() -> dict:
    """The categories by code (a dozen rows), read once per request like the tree."""
    from helpdesk.jurisdictions.models import Category

    found = g.get("_categories_by_code") if has_request_context() else None
    if found is None:
        found = {c.code: c for c in db.session.scalars(select(Category))}
        if has_request_context():
            g._categories_by_code = found
    return found


def subtree_ids(root_id: int) -> frozenset[int]:
    """The ids of a jurisdiction and every jurisdiction below it."""
    return jurisdiction_tree().subtree(root_id)


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
