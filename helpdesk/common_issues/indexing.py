"""Writing the similarity index: ticket_terms, term_stats and ticket_neighbours (docs/SIMILARITY.md). Flush,
never commit, except `reindex`, the command's whole rebuild, which commits batch by batch.

Filing writes nothing here (its statement count is a target of its own): the worker's `similarity_index`
job takes the tickets whose `similarity_indexed_at` is null, oldest first, a batch at a time. A batch reads
the df of its terms, adds its own counts to term_stats (one upsert, terms sorted so that two writers
cannot deadlock), writes each ticket's unit vector as postings, then finds each ticket's ≤ NEIGHBOURS best
matches scoring at least GROUP_THRESHOLD through the same lookup the API uses (without visibility) and
stores them as edges. Stored weights keep the df of their day; `flask similarity reindex` recomputes all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from helpdesk.common_issues.grouping import GROUP_THRESHOLD
from helpdesk.common_issues.models import N_DOCS_TERM, TermStat, TicketNeighbour, TicketTerm
from helpdesk.common_issues.queries import lookup, read_stats
from helpdesk.common_issues.similarity import terms, weigh
from helpdesk.db import utcnow
from helpdesk.extensions import db
from helpdesk.tickets.models import Ticket

BATCH = 200  # tickets a job run indexes
NEIGHBOURS = 20  # edges stored per ticket, at most


def _pending(limit: int) -> list:
    return db.session.execute(
        select(Ticket.id, Ticket.title, Ticket.description, Ticket.category_id)
        .where(Ticket.similarity_indexed_at.is_(None))
        .order_by(Ticket.id)
        .limit(limit)
    ).all()


def _add_stats(counts: Counter[str]) -> None:
    """term_stats.df += count for each term (inserting new terms), in one upsert, terms in sorted order."""
    if not counts:
        return
    dialect = db.session.get_bind().dialect.name
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(TermStat)
    statement = statement.on_conflict_do_update(
        index_elements=[TermStat.term], set_={"df": TermStat.df + statement.excluded.df}
    )
    db.session.execute(statement, [{"term": t, "df": n} for t, n in sorted(counts.items())])


def _write_terms(vectors: dict[int, dict[str, float]]) -> None:
    rows = [{"ticket_id": i, "term": t, "weight": w} for i, vec in vectors.items() for t, w in vec.items()]
    if rows:
        db.session.execute(insert(TicketTerm), rows)


def _write_neighbours(rows: Sequence, vectors: dict[int, dict[str, float]], stats: dict[str, int]) -> int:
    """Each ticket's best matches among the indexed tickets (itself excluded) as edges; the number written."""
    n_docs = stats.get(N_DOCS_TERM, 0)
    edges = []
    for row in rows:
        found = lookup(vectors[row.id], stats, n_docs, category_id=row.category_id, limit=NEIGHBOURS, exclude_id=row.id)
        edges += [{"ticket_id": row.id, "other_id": other, "score": s} for other, s in found if s >= GROUP_THRESHOLD]
    if edges:
        db.session.execute(insert(TicketNeighbour), edges)
    return len(edges)


def _mark(ids: Iterable[int], now: datetime) -> None:
    db.session.execute(
        update(Ticket)
        .where(Ticket.id.in_(list(ids)))
        .values(similarity_indexed_at=now)
        .execution_options(synchronize_session=False)
    )


def index_pending(now: datetime | None = None, batch: int = BATCH) -> tuple[int, int]:
    """Index up to `batch` tickets not yet indexed, oldest first: (tickets, edges) written."""
    now = now or utcnow()
    rows = _pending(batch)
    if not rows:
        return 0, 0
    tfs = {row.id: terms(row.title, row.description) for row in rows}
    # Rows a concurrent `flask similarity reindex` may have written for them already: rewritten, never doubled.
    db.session.execute(delete(TicketNeighbour).where(TicketNeighbour.ticket_id.in_(list(tfs))))
    db.session.execute(delete(TicketTerm).where(TicketTerm.ticket_id.in_(list(tfs))))
    counts: Counter[str] = Counter()
    for tf in tfs.values():
        counts.update(tf.keys())
    stats = read_stats(set(counts) | {N_DOCS_TERM})
    for term, n in counts.items():
        stats[term] = stats.get(term, 0) + n
    stats[N_DOCS_TERM] = stats.get(N_DOCS_TERM, 0) + len(rows)
    counts[N_DOCS_TERM] = len(rows)
    _add_stats(counts)
    vectors = {i: weigh(tf, stats, stats[N_DOCS_TERM]) for i, tf in tfs.items()}
    _write_terms(vectors)
    edges = _write_neighbours(rows, vectors, stats)
    _mark(tfs, now)
    return len(rows), edges


def _all_tickets(batch: int):
    """Every ticket's id, text and category, in batches by id."""
    last = 0
    while rows := db.session.execute(
        select(Ticket.id, Ticket.title, Ticket.description, Ticket.category_id)
        .where(Ticket.id > last)
        .order_by(Ticket.id)
        .limit(batch)
    ).all():
        yield rows
        last = rows[-1].id


def index_job(now: datetime) -> str:
    """The worker's `similarity_index` job: one batch (the next turn takes the next)."""
    tickets, edges = index_pending(now)
    return f"{tickets} tickets indexed, {edges} neighbour edges"


def reindex(batch: int = 1000, echo=None) -> tuple[int, int]:
    """Rebuild the whole index from every ticket's text with today's df (commits batch by batch)."""
    db.session.execute(delete(TicketNeighbour))
    db.session.execute(delete(TicketTerm))
    db.session.execute(delete(TermStat))
    db.session.execute(update(Ticket).values(similarity_indexed_at=None).execution_options(synchronize_session=False))
    # First the corpus's df, so that every vector is weighed against the same statistics.
    counts: Counter[str] = Counter()
    for rows in _all_tickets(batch):
        for row in rows:
            counts.update(terms(row.title, row.description).keys())
        counts[N_DOCS_TERM] += len(rows)
    _add_stats(counts)
    db.session.commit()
    stats, n_docs = dict(counts), counts[N_DOCS_TERM]
    now, indexed, edges = utcnow(), 0, 0
    # All postings first (a ticket's neighbours may be filed after it), then the edges, marking as they go.
    for rows in _all_tickets(batch):
        _write_terms({row.id: weigh(terms(row.title, row.description), stats, n_docs) for row in rows})
        db.session.commit()
    for rows in _all_tickets(batch):
        vectors = {row.id: weigh(terms(row.title, row.description), stats, n_docs) for row in rows}
        edges += _write_neighbours(rows, vectors, stats)
        _mark(vectors, now)
        indexed += len(rows)
        db.session.commit()
        if echo:
            echo(f"{indexed} tickets, {edges} edges")
    db.session.commit()
    return indexed, edges
