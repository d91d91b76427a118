"""The jurisdiction tree (province → city → county) and the categories, kept across requests (reference.py)."""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk.jurisdictions.models import Category, Jurisdiction
from helpdesk.reference import kept


@dataclass
class JurisdictionTree:
    """Every jurisdiction by id: the tree is small (a province has a few hundred nodes at most)."""

    by_id: dict[int, Jurisdiction]

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
    """The tree, read once per request and kept across requests while it is unchanged (helpdesk/reference.py;
    outside a request, e.g. in a command, read on each call)."""
    return kept("jurisdictions", Jurisdiction, lambda found: JurisdictionTree({j.id: j for j in found}))


def categories_by_code() -> dict:
    """The categories by code (a dozen rows), kept like the tree."""
    return kept("categories", Category, lambda found: {c.code: c for c in found})


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
