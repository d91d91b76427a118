"""Candidate groups of common issues: similar tickets from different enterprises (PRODUCT.md §11).

Pairs come from an inverted index, never from all pairs: each ticket meets only the earlier tickets that
share one of its SIGNATURE_TERMS heaviest probe terms (bigrams and words that are not common, see
similarity.probe_terms), and only those pairs get an exact score. Groups are then
built by average linkage over the sparse graph of pairs scoring at least GROUP_THRESHOLD (a missing pair
counts 0): unlike connected components, one loose link between two problems does not chain them into one
group. A group is kept when it spans at least `min_enterprises` distinct enterprises; its label is its
most central title (the member with the highest total score to the others), its category the commonest.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from helpdesk.common_issues.index import Doc, dot
from helpdesk.common_issues.similarity import category_factor, document_frequencies, probe_terms

GROUP_THRESHOLD = 0.18
SIGNATURE_TERMS = 16


@dataclass(frozen=True)
class CandidateGroup:
    """A proposed common issue, for a supervisor to confirm."""

    ticket_ids: list[Hashable]
    enterprise_count: int
    label: str
    category: str | None


def similar_pairs(
    docs: Sequence[Doc],
    threshold: float = GROUP_THRESHOLD,
    signature_terms: int = SIGNATURE_TERMS,
    df: Mapping[str, int] | None = None,
    n_docs: int | None = None,
) -> dict[tuple[int, int], float]:
    """{(i, j): score} for i < j, positions in `docs`, of the pairs scoring at least `threshold`.

    `df` and `n_docs` are the corpus's (term_stats); without them, the docs' own stored terms stand in.
    """
    if df is None:
        df, n_docs = document_frequencies(doc.vector for doc in docs), len(docs)
    index: dict[str, list[int]] = defaultdict(list)
    pairs: dict[tuple[int, int], float] = {}
    for j, doc in enumerate(docs):
        seen: set[int] = set()
        for term, _ in probe_terms(doc.vector, df, n_docs or len(docs), signature_terms):
            seen.update(index[term])
            index[term].append(j)
        for i in seen:
            other = docs[i]
            value = dot(doc.vector, other.vector) * category_factor(doc.category, other.category)
            if value >= threshold:
                pairs[(i, j)] = value
    return pairs


def average_linkage(n: int, pairs: dict[tuple[int, int], float], threshold: float) -> list[list[int]]:
    """Merge clusters while the best average score between two clusters is at least `threshold`.

    A cluster keeps the id of whichever side had more neighbours, so a merge walks the smaller side's links
    only; heap entries made stale by a merge are recognised by their average no longer matching.
    """
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    links: list[dict[int, float]] = [{} for _ in range(n)]  # cluster → neighbour → summed score
    for (i, j), value in pairs.items():
        links[i][j] = links[j][i] = value
    heap = [(-value, i, j) for (i, j), value in pairs.items()]
    heapq.heapify(heap)
    while heap:
        negative, a, b = heapq.heappop(heap)
        total = links[a].get(b) if a in members and b in members else None
        if total is None or total / (len(members[a]) * len(members[b])) != -negative:
            continue  # merged away, or the clusters changed since this entry was pushed
        if len(links[a]) < len(links[b]):
            a, b = b, a
        kept, gone = links[a], links[b]
        del kept[b]
        for x, value in gone.items():
            if x != a:
                other = links[x]
                del other[b]
                other[a] = kept[x] = kept.get(x, 0.0) + value
        links[b] = {}
        members[a].extend(members.pop(b))
        size = len(members[a])
        for x, value in kept.items():
            average = value / (size * len(members[x]))
            if average >= threshold:
                heapq.heappush(heap, (-average, a, x))
    return [sorted(group) for group in members.values() if len(group) > 1]


def candidate_groups(
    docs: Sequence[Doc],
    min_enterprises: int = 2,
    threshold: float = GROUP_THRESHOLD,
    signature_terms: int = SIGNATURE_TERMS,
    df: Mapping[str, int] | None = None,
    n_docs: int | None = None,
) -> list[CandidateGroup]:
    """Groups of similar docs spanning at least `min_enterprises` enterprises, largest first."""
    pairs = similar_pairs(docs, threshold, signature_terms, df, n_docs)
    return groups_from_pairs(docs, pairs, min_enterprises, threshold)


def groups_from_pairs(
    docs: Sequence[Doc],
    pairs: dict[tuple[int, int], float],
    min_enterprises: int = 2,
    threshold: float = GROUP_THRESHOLD,
) -> list[CandidateGroup]:
    """The candidate groups of docs whose similar pairs (positions i < j → score) are already known."""
    groups = []
    for positions in average_linkage(len(docs), pairs, threshold):
        enterprises = {docs[p].enterprise_id for p in positions}
        if len(enterprises) < min_enterprises:
            continue
        groups.append(_describe([docs[p] for p in positions], positions, pairs, len(enterprises)))
    groups.sort(key=lambda g: (-g.enterprise_count, -len(g.ticket_ids), str(g.ticket_ids[0])))
    return groups


def pairs_from_neighbours(
    docs: Sequence[Doc], neighbours: Iterable[tuple[Hashable, Hashable, float]]
) -> dict[tuple[int, int], float]:
    """Stored (ticket_id, other_id, score) edges, both ends among `docs`, as the pairs of groups_from_pairs."""
    position = {doc.ticket_id: p for p, doc in enumerate(docs)}
    pairs: dict[tuple[int, int], float] = {}
    for a, b, value in neighbours:
        if a in position and b in position and a != b:
            i, j = sorted((position[a], position[b]))
            pairs[(i, j)] = max(value, pairs.get((i, j), 0.0))
    return pairs


def _describe(members: list[Doc], positions: list[int], pairs, enterprise_count: int) -> CandidateGroup:
    centrality = {p: 0.0 for p in positions}
    for a in positions:
        for b in positions:
            if a < b and (a, b) in pairs:
                centrality[a] += pairs[(a, b)]
                centrality[b] += pairs[(a, b)]
    central = max(zip(positions, members), key=lambda pm: (centrality[pm[0]], -pm[0]))[1]
    categories = Counter(doc.category for doc in members).most_common()
    return CandidateGroup(
        ticket_ids=[doc.ticket_id for doc in members],
        enterprise_count=enterprise_count,
        label=central.title,
        category=categories[0][0],
    )
