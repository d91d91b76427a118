"""The similar lookup as the database will run it, timed on an in-memory SQLite (stdlib sqlite3).

Tables as docs/SIMILARITY.md proposes: ticket_terms(ticket_id, term, weight) keyed (term, ticket_id) with a
second index on (ticket_id, term, weight), term_stats(term, df), and a stand-in tickets(id, category).
A lookup is two statements: the df of the query's terms, then ONE query that finds CANDIDATES tickets
through the probe terms and scores them exactly over all the query's terms.
"""

from __future__ import annotations

import sqlite3
import statistics
import time

from helpdesk.common_issues.index import Postings
from helpdesk.common_issues.similarity import (
    CANDIDATES,
    OTHER_CATEGORY_FACTOR,
    probe_terms,
    terms,
    top_terms,
    weigh,
)

LOOKUP_SQL = """
WITH candidates AS (
    SELECT ticket_id FROM ticket_terms
    WHERE term IN ({probes})
    GROUP BY ticket_id
    ORDER BY SUM(weight * CASE term {probe_cases} END) DESC
    LIMIT :candidates
)
SELECT tt.ticket_id,
       SUM(tt.weight * CASE tt.term {query_cases} ELSE 0 END)
         * CASE WHEN t.category = :category THEN 1.0 ELSE :other_category END AS score
FROM ticket_terms tt JOIN tickets t ON t.id = tt.ticket_id
WHERE tt.ticket_id IN (SELECT ticket_id FROM candidates) AND tt.term IN ({terms})
GROUP BY tt.ticket_id, t.category
ORDER BY score DESC
LIMIT :limit
"""


def build_sql(query: dict[str, float], probes: list[tuple[str, float]]) -> tuple[str, dict]:
    """The lookup statement and its parameters for a unit query vector and its probe terms."""
    params: dict[str, object] = {}
    for i, (term, weight) in enumerate(top_terms(query, len(query))):
        params[f"t{i}"], params[f"w{i}"] = term, weight
    index_of = {params[f"t{i}"]: i for i in range(len(query))}
    probe_ids = [index_of[term] for term, _ in probes]
    sql = LOOKUP_SQL.format(
        probes=", ".join(f":t{i}" for i in probe_ids),
        probe_cases=" ".join(f"WHEN :t{i} THEN :w{i}" for i in probe_ids),
        query_cases=" ".join(f"WHEN :t{i} THEN :w{i}" for i in range(len(query))),
        terms=", ".join(f":t{i}" for i in range(len(query))),
    )
    return sql, params


def load(index: Postings) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.executescript(
        """
        CREATE TABLE tickets (id INTEGER PRIMARY KEY, category TEXT);
        CREATE TABLE ticket_terms (term TEXT NOT NULL, ticket_id INTEGER NOT NULL, weight REAL NOT NULL,
                                   PRIMARY KEY (term, ticket_id)) WITHOUT ROWID;
        CREATE TABLE term_stats (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
        """
    )
    db.executemany("INSERT INTO tickets VALUES (?, ?)", ((doc.ticket_id, doc.category) for doc in index.docs))
    db.executemany(
        "INSERT INTO ticket_terms VALUES (?, ?, ?)",
        ((term, index.docs[p].ticket_id, w) for term, plist in index.postings.items() for p, w in plist),
    )
    db.execute("CREATE INDEX ix_ticket_terms_ticket ON ticket_terms (ticket_id, term, weight)")
    db.executemany("INSERT INTO term_stats VALUES (?, ?)", index.df.items())
    db.execute("ANALYZE")
    return db


def lookup(db: sqlite3.Connection, n_docs: int, title: str, description: str, category: str, limit: int = 5):
    tf = terms(title, description)
    names = list(tf)
    df = dict(
        db.execute(f"SELECT term, df FROM term_stats WHERE term IN ({', '.join('?' * len(names))})", names).fetchall()
    )
    query = weigh(tf, df, n_docs)
    sql, params = build_sql(query, probe_terms(query, df, n_docs))
    params |= {"candidates": CANDIDATES, "category": category, "other_category": OTHER_CATEGORY_FACTOR, "limit": limit}
    return db.execute(sql, params).fetchall()


def time_sqlite_lookup(index: Postings, queries, repeat: int) -> None:
    start = time.perf_counter()
    db = load(index)
    print(f"SQLite in memory: {index.n_docs:,} tickets loaded in {time.perf_counter() - start:.0f} s")
    walls, cpus, agree = [], [], 0
    for title, description, category in queries:
        wall, cpu = [], []
        for _ in range(repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            found = lookup(db, index.n_docs, title, description, category)
            wall.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        walls.append(statistics.median(wall))
        cpus.append(statistics.median(cpu))
        in_python = index.lookup(weigh(terms(title, description), index.df, index.n_docs), category, limit=5)
        agree += [t for t, _ in found] == [doc.ticket_id for doc, _ in in_python]
    print(
        f"similar lookup as SQL (2 statements) on SQLite: wall median {statistics.median(walls):.1f} ms, "
        f"worst {max(walls):.1f}; CPU median {statistics.median(cpus):.1f} ms, worst {max(cpus):.1f}; "
        f"same 5 tickets as in Python for {agree}/{len(queries)} queries"
    )
