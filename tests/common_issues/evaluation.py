"""Measures the similarity engine on the labelled set eval_set.json (used by the tests and bench/).

precision@3: for each item whose group has ≥ 2 members, the share of its 3 best neighbours (itself
excluded) that belong to its group, averaged. The literal share (hits / 3) cannot reach 1 for a group of
3 (only 2 mates), so `precision_at_3_capped` divides by min(3, mates) as well.
recall@5: the share of an item's group-mates found among its 5 best neighbours (mates ≥ 5 count 5).
Grouping quality: pairwise precision and recall of the candidate groups against the labels: of the pairs of
items put in one group, how many share a label; of the pairs sharing a label, how many were put together.
"""

from __future__ import annotations

import json
from collections import defaultdict
from itertools import combinations
from pathlib import Path

from helpdesk.common_issues.grouping import candidate_groups
from helpdesk.common_issues.index import Doc, Postings
from helpdesk.common_issues.similarity import document_frequencies, terms, weigh

EVAL_SET = Path(__file__).with_name("eval_set.json")


def load_items() -> list[dict]:
    return json.loads(EVAL_SET.read_text(encoding="utf-8"))["items"]


def build_index(items: list[dict]) -> Postings:
    """Vectors and postings of every item, document frequencies from the set itself (as a new city's corpus)."""
    tfs = [terms(item["title"], item["description"]) for item in items]
    df = document_frequencies(tfs)
    docs = [
        Doc(item["id"], item["enterprise_id"], item["category"], weigh(tf, df, len(items)), item["title"])
        for item, tf in zip(items, tfs)
    ]
    return Postings(docs, df, len(items))


def retrieval_metrics(items: list[dict], index: Postings | None = None) -> dict[str, float]:
    """precision@3 and recall@5 of every grouped item's lookup (`index` may hold more docs than the items)."""
    index = index or build_index(items)
    by_id = {doc.ticket_id: doc for doc in index.docs}
    docs = [by_id[item["id"]] for item in items]
    group_of = {item["id"]: item["group"] for item in items}
    size = defaultdict(int)
    for item in items:
        if item["group"]:
            size[item["group"]] += 1
    p3, p3_capped, r5 = [], [], []
    for item, doc in zip(items, docs):
        group = item["group"]
        if not group or size[group] < 2:
            continue
        mates = size[group] - 1
        found = [d.ticket_id for d, _ in index.lookup(doc.vector, doc.category, limit=5, exclude=doc.ticket_id)]
        hits3 = sum(group_of.get(t) == group for t in found[:3])
        p3.append(hits3 / 3)
        p3_capped.append(hits3 / min(3, mates))
        r5.append(sum(group_of.get(t) == group for t in found[:5]) / min(5, mates))
    return {
        "precision_at_3": sum(p3) / len(p3),
        "precision_at_3_capped": sum(p3_capped) / len(p3_capped),
        "recall_at_5": sum(r5) / len(r5),
    }


def grouping_metrics(items: list[dict], index: Postings | None = None, **options) -> dict[str, float]:
    """Pairwise precision and recall of the candidate groups of the items against their labels."""
    index = index or build_index(items)
    docs = index.docs
    group_of = {item["id"]: item["group"] for item in items}
    groups = candidate_groups(docs, df=index.df, n_docs=index.n_docs, **options)
    predicted = {frozenset(p) for g in groups for p in combinations(g.ticket_ids, 2)}
    labelled = defaultdict(list)
    for item in items:
        if item["group"]:
            labelled[item["group"]].append(item["id"])
    truth = {frozenset(p) for ids in labelled.values() for p in combinations(ids, 2)}
    correct = len(predicted & truth)
    pure = sum(1 for g in groups if len({group_of[t] for t in g.ticket_ids}) == 1 and group_of[g.ticket_ids[0]])
    return {
        "pair_precision": correct / len(predicted) if predicted else 0.0,
        "pair_recall": correct / len(truth),
        "groups": len(groups),
        "pure_groups": pure,
    }
