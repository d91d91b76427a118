"""An in-memory inverted index of ticket vectors: the pure-Python twin of the `ticket_terms` postings.

`lookup` does what the one SQL query over `ticket_terms` will do: sum weight × query weight over the
postings of the query's heaviest terms, per ticket, then apply the category factor and keep the best.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from helpdesk.common_issues.similarity import QUERY_TERMS, category_factor, top_terms


@dataclass(frozen=True, slots=True)
class Doc:
    """A ticket as the similarity engine sees it."""

    ticket_id: Hashable
    enterprise_id: Hashable
    category: str | None
    vector: Mapping[str, float]  # unit length, already cut to TOP_TERMS
    title: str = ""


class Postings:
    """term → [(doc position, weight)], in the order the docs were added."""

    def __init__(self, docs: Iterable[Doc] = ()):
        self.docs: list[Doc] = []
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for doc in docs:
            self.add(doc)

    def add(self, doc: Doc) -> None:
        position = len(self.docs)
        self.docs.append(doc)
        for term, weight in doc.vector.items():
            self.postings[term].append((position, weight))

    def lookup(
        self,
        query: Mapping[str, float],
        category: str | None = None,
        limit: int = 5,
        exclude: Hashable | None = None,
        min_score: float = 0.0,
        query_terms: int = QUERY_TERMS,
    ) -> list[tuple[Doc, float]]:
        """The `limit` docs most similar to a unit query vector, best first, as (doc, score)."""
        sums: dict[int, float] = defaultdict(float)
        for term, weight in top_terms(query, query_terms):
            for position, doc_weight in self.postings.get(term, ()):
                sums[position] += weight * doc_weight
        scored = (
            (min(1.0, total) * category_factor(category, self.docs[position].category), position)
            for position, total in sums.items()
            if self.docs[position].ticket_id != exclude
        )
        best = heapq.nlargest(limit, (item for item in scored if item[0] > min_score))
        return [(self.docs[position], value) for value, position in best]
