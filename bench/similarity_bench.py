"""Micro-benchmark of the common-issue similarity engine, in process (no database).

    python -m bench.similarity_bench                       # 100,000 tickets, a city's quarter of 12,000
    python -m bench.similarity_bench --tickets 20k --quarter 5k --repeat 3

It synthesises ticket texts (bench.similarity_text), builds their vectors and postings, then times, as the
median of --repeat runs: one similar-lookup (the query's vector from its text with the corpus's document
frequencies, then the inverted-index lookup of the 5 best) for several queries; and the candidate groups
of the first --quarter tickets (a city's quarter). The targets of issue 14 are 50 ms and 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from bench.generate import CATEGORY_WEIGHTS, ENTERPRISES, SEED, parse_count
from bench.similarity_text import TextMaker
from helpdesk.common_issues.grouping import candidate_groups
from helpdesk.common_issues.index import Doc, Postings
from helpdesk.common_issues.similarity import TOP_TERMS, document_frequencies, terms, weigh

LOOKUP_TARGET_MS = 50
GROUPING_TARGET_MS = 1000


def median_ms(action: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


def synthesise(count: int, seed: int, planted_share: float = 0.04) -> list[tuple[int, str, str, str, str | None]]:
    """(enterprise_id, category, title, description, planted group) for `count` tickets."""
    maker = TextMaker(seed, planted_share)
    rng = maker.rng
    categories = rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()), k=count)
    return [(rng.randrange(ENTERPRISES), category, *maker.ticket(category)) for category in categories]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=parse_count, default=100_000)
    parser.add_argument("--quarter", type=parse_count, default=12_000, help="tickets grouped at once")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    rows = synthesise(args.tickets, args.seed)
    tfs = [terms(title, description) for _, _, title, description, _ in rows]
    df = document_frequencies(tfs)
    docs = [
        Doc(i, enterprise, category, weigh(tf, df, len(rows)), title)
        for i, ((enterprise, category, title, _, _), tf) in enumerate(zip(rows, tfs))
    ]
    index = Postings(docs)
    built = time.perf_counter() - start
    postings = sum(len(p) for p in index.postings.values())
    print(f"{len(rows):,} tickets, {len(df):,} distinct terms, {postings:,} postings (≤ {TOP_TERMS} a ticket), built in {built:.1f} s")

    maker = TextMaker(args.seed + 1)
    queries = [(item["title"], item["description"], item["category"]) for item in maker.items[:: len(maker.items) // 9]]
    lookups = []
    for title, description, category in queries:

        def lookup(title=title, description=description, category=category):
            return index.lookup(weigh(terms(title, description), df, len(rows)), category, limit=5)

        lookups.append(median_ms(lookup, args.repeat))
    print(
        f"similar lookup (text → vector → 5 best of {len(rows):,}), median of {args.repeat} per query, "
        f"{len(queries)} queries: median {statistics.median(lookups):.1f} ms, worst {max(lookups):.1f} ms "
        f"(target {LOOKUP_TARGET_MS} ms)"
    )

    quarter = docs[: args.quarter]
    groups = candidate_groups(quarter, min_enterprises=2)
    grouping = median_ms(lambda: candidate_groups(quarter, min_enterprises=2), args.repeat)
    planted = sum(1 for row in rows[: args.quarter] if row[4])
    print(
        f"candidate groups of {len(quarter):,} tickets ({planted} planted repeats): {grouping:.0f} ms median of "
        f"{args.repeat} (target {GROUPING_TARGET_MS} ms); {len(groups)} groups, largest {len(groups[0].ticket_ids) if groups else 0}"
    )


if __name__ == "__main__":
    main()
