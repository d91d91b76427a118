"""The similarity index in the database: the worker's job writes terms, df and neighbour edges off the filing
request; the SQL lookup finds what the pure-Python index finds; `reindex` rebuilds it all."""

from __future__ import annotations

from sqlalchemy import func, select

from helpdesk.common_issues.grouping import GROUP_THRESHOLD
from helpdesk.common_issues.index import Doc, Postings
from helpdesk.common_issues.indexing import NEIGHBOURS, index_pending, reindex
from helpdesk.common_issues.models import N_DOCS_TERM, TermStat, TicketNeighbour, TicketTerm
from helpdesk.common_issues.queries import lookup, query_vector, read_stats
from helpdesk.common_issues.similarity import TOP_TERMS
from helpdesk.extensions import db
from helpdesk.tickets.models import Ticket
from helpdesk.worker.jobs import JOBS, run_job
from tests import factories as f
from tests.common_issues.conftest import file_corpus, sample_items


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_filing_leaves_the_ticket_for_the_worker(w):
    ticket = w.ticket()
    assert ticket.similarity_indexed_at is None
    assert count(TicketTerm) == 0 and count(TermStat) == 0


def test_the_job_indexes_waiting_tickets_in_batches(w):
    corpus = file_corpus(sample_items(2), index=False)
    n = len(corpus.tickets)
    assert index_pending(f.TUESDAY, batch=5)[0] == 5
    assert read_stats([N_DOCS_TERM]) == {N_DOCS_TERM: 5}
    tickets, _ = index_pending(f.TUESDAY, batch=1000)
    assert tickets == n - 5
    assert index_pending(f.TUESDAY) == (0, 0)
    assert read_stats([N_DOCS_TERM]) == {N_DOCS_TERM: n}
    assert db.session.scalar(select(func.count()).where(Ticket.similarity_indexed_at.is_(None))) == 0
    per_ticket = db.session.execute(
        select(func.count()).select_from(TicketTerm).group_by(TicketTerm.ticket_id)
    ).scalars()
    assert max(per_ticket) <= TOP_TERMS
    edges = db.session.scalars(select(TicketNeighbour)).all()
    assert edges and all(e.score >= GROUP_THRESHOLD - 1e-6 and e.ticket_id != e.other_id for e in edges)
    per_ticket = db.session.execute(
        select(func.count()).select_from(TicketNeighbour).group_by(TicketNeighbour.ticket_id)
    )
    assert max(per_ticket.scalars()) <= NEIGHBOURS


def test_the_worker_runs_the_index_job(w, app, monkeypatch):
    monkeypatch.setitem(app.config, "SIMILARITY_INTERVAL_SECONDS", 10)
    w.ticket()
    job = next(job for job in JOBS if job.name == "similarity_index")
    assert run_job(job, "test", f.TUESDAY) == "1 tickets indexed, 0 neighbour edges"
    assert run_job(job, "test", f.TUESDAY) is None  # its interval has not passed


def stored_postings() -> Postings:
    """The stored vectors as the pure-Python index, with the stored df."""
    vectors: dict[int, dict[str, float]] = {}
    for ticket_id, term, weight in db.session.execute(select(TicketTerm.ticket_id, TicketTerm.term, TicketTerm.weight)):
        vectors.setdefault(ticket_id, {})[term] = weight
    categories = dict(db.session.execute(select(Ticket.id, Ticket.category_id)).all())
    stats = dict(db.session.execute(select(TermStat.term, TermStat.df)).all())
    docs = [Doc(i, None, categories[i], v) for i, v in sorted(vectors.items())]
    return Postings(docs, stats, stats[N_DOCS_TERM])


def test_the_sql_lookup_finds_what_the_python_index_finds(corpus):
    index = stored_postings()
    for ticket in list(corpus.tickets.values())[:12]:
        vector, df, n_docs = query_vector(ticket.title, ticket.description)
        found = lookup(vector, df, n_docs, category_id=ticket.category_id, limit=5)
        expected = index.lookup(vector, ticket.category_id, limit=5)
        assert [t for t, _ in found] == [doc.ticket_id for doc, _ in expected]
        assert [round(s, 4) for _, s in found] == [round(s, 4) for _, s in expected]
        assert found[0] == (ticket.id, found[0][1]) and found[0][1] > 0.99  # a ticket scores 1 against itself


def test_a_ticket_not_yet_indexed_is_looked_up_by_its_text(corpus, w):
    outage = corpus.group("lianhua-substation-outages")
    fresh = f.file(w.owner, category="utilities", title=outage[0].title, description=outage[0].description)
    vector, df, n_docs = query_vector(fresh.title, fresh.description)
    found = lookup(vector, df, n_docs, category_id=fresh.category_id, limit=3, exclude_id=fresh.id)
    assert found[0][0] == outage[0].id and fresh.id not in [t for t, _ in found]


def test_reindex_rebuilds_the_same_index(corpus):
    before = dict(db.session.execute(select(TermStat.term, TermStat.df)).all())
    edges = {(e.ticket_id, e.other_id) for e in db.session.scalars(select(TicketNeighbour))}
    tickets, written = reindex(batch=7)
    assert tickets == len(corpus.tickets) + 0 and written == len(edges)
    assert dict(db.session.execute(select(TermStat.term, TermStat.df)).all()) == before
    assert {(e.ticket_id, e.other_id) for e in db.session.scalars(select(TicketNeighbour))} == edges


def test_flask_similarity_reindex(app, corpus):
    result = app.test_cli_runner().invoke(args=["similarity", "reindex"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith(f"{len(corpus.tickets)} tickets indexed, ")
