"""An in-memory inverted index of ticket vectors: the pure-Python twin of the `ticket_terms` postings.

A lookup works in two steps, as the two SQL queries over `ticket_terms` will: sum weight × query weight over
the postings of the query's probe terms (its heaviest bigrams that are not common) and keep the CANDIDATES
best tickets; then score those exactly (the full dot product of the stored vectors, characters and common
terms included) with the category factor, and keep the best.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from helpdesk.common_issues.similarity import CANDIDATES, category_factor, probe_terms


@dataclass(frozen=True, slots=True)
class Doc:
    """A ticket as the similarity engine sees it."""

    ticket_id: Hashable
    enterprise_id: Hashable
    category: str | None
    vector: Mapping[str, float]  # unit length, already cut to TOP_TERMS
    title: str = ""


def dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Dot product of two unit vectors, clipped to 1 against rounding."""
    if len(a) > len(b):
        a, b = b, a
    return min(1.0, sum(w * b.get(term, 0.0) for term, w in a.items()))


class Postings:
    """term → [(doc position, weight)], in the order the docs were added, with the corpus's df."""

    def __init__(self, docs: Iterable[Doc], df: Mapping[str, int], n_docs: int):
        self.docs: list[Doc] = []
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self.df, self.n_docs = df, n_docs
        for doc in docs:
            self.add(doc)

    def add(self, doc: Doc) -> None:
        position = len(self.docs)
        self.docs.append(doc)
        for term, weight in doc.vector.items():
            self.postings[term].append((position, weight))

    def candidates(self, query: Mapping[str, float], n: int = CANDIDATES) -> list[int]:
        """Positions of the n docs scoring best on the query's probe terms alone."""
        sums: dict[int, float] = defaultdict(float)
        for term, weight in probe_terms(query, self.df, self.n_docs):
            for position, doc_weight in self.postings.get(term, ()):
                sums[position] += weight * doc_weight
        return heapq.nlargest(n, sums, key=sums.__getitem__)

    def lookup(
        self,
        query: Mapping[str, float],
        category: str | None = None,
        limit: int = 5,
        exclude: Hashable | None = None,
        min_score: float = 0.0,
    ) -> list[tuple[Doc, float]]:
        """The `limit` docs most similar to a unit query vector, best first, as (doc, score)."""
        scored = []
        for position in self.candidates(query):
            doc = self.docs[position]
            if doc.ticket_id == exclude:
                continue
            value = dot(query, doc.vector) * category_factor(category, doc.category)
            if value > min_score:
                scored.append((value, position))
        return [(self.docs[p], value) for value, p in heapq.nlargest(limit, scored)]
