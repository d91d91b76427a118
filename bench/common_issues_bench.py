"""The common-issue queries as the app runs them, on a real bench database (issue 14's targets).

    python -m bench.common_issues_bench --tickets 10k                       # SQLite file, a smoke run
    python -m bench.common_issues_bench --tickets 100k --database-url postgresql+psycopg://…/helpdesk_bench_ci

It builds the bench world (bench.generate: people, companies, tickets), gives the tickets synthetic texts with
realistic similarity (bench.similarity_text), writes the similarity index the way the worker would leave it
(ticket_terms and term_stats for every ticket; neighbour edges, ≤ 20 a ticket scoring ≥ 0.18, for the city's
last --quarter tickets), then times, as medians of --repeat runs (wall and CPU):
- the similar lookup as the API runs it: `similar_tickets` of a city supervisor (df with N, the visibility-
  restricted SQL lookup, the tickets with their details) for ten texts of the evaluation set; target 50 ms;
- the candidate groups of the city for the quarter from stored edges (`candidate_groups_for`): target 1 s.
Do not run it at full size while others use the machine.
"""

from __future__ import annotations

import argparse
import statistics
import time

from sqlalchemy import bindparam, func, insert, select, update

from bench.generate import BENCH_LOGINS, CATEGORY_WEIGHTS, SEED, generate, make_app, parse_count
from bench.similarity_bench import median_ms
from bench.similarity_text import TextMaker
from helpdesk.common_issues.grouping import GROUP_THRESHOLD
from helpdesk.common_issues.index import Doc, Postings
from helpdesk.common_issues.indexing import NEIGHBOURS
from helpdesk.common_issues.models import N_DOCS_TERM, TermStat, TicketNeighbour, TicketTerm
from helpdesk.common_issues.similarity import document_frequencies, terms, weigh

LOOKUP_TARGET_MS = 50
CANDIDATES_TARGET_MS = 1000
BATCH = 5000


def _texts(db, seed: int) -> None:
    """Every ticket's title and description replaced by a synthetic one of its category."""
    from helpdesk.jurisdictions.models import Category
    from helpdesk.tickets.models import Ticket

    maker = TextMaker(seed)
    codes = dict(db.session.execute(select(Category.id, Category.code)).all())
    rows = db.session.execute(select(Ticket.id, Ticket.category_id).order_by(Ticket.id)).all()
    for start in range(0, len(rows), BATCH):
        values = []
        for ticket_id, category_id in rows[start : start + BATCH]:
            code = codes[category_id] if codes[category_id] in CATEGORY_WEIGHTS else "other"
            title, description, _planted = maker.ticket(code)
            values.append({"b_id": ticket_id, "b_title": title[:200], "b_description": description})
        db.session.connection().execute(
            update(Ticket.__table__)
            .where(Ticket.__table__.c.id == bindparam("b_id"))
            .values(title=bindparam("b_title"), description=bindparam("b_description")),
            values,
        )
        db.session.commit()


def _index(db, quarter: int, city_id: int) -> tuple[int, int, object]:
    """ticket_terms and term_stats of every ticket, the edges of the city's last `quarter` tickets."""
    from helpdesk.jurisdictions.queries import subtree_ids
    from helpdesk.tickets.models import Ticket

    rows = db.session.execute(
        select(Ticket.id, Ticket.enterprise_id, Ticket.category_id, Ticket.jurisdiction_id, Ticket.title,
               Ticket.description, Ticket.created_at).order_by(Ticket.id)
    ).all()  # fmt: skip
    tfs = [terms(r.title, r.description) for r in rows]
    df = document_frequencies(tfs)
    n = len(rows)
    docs = [Doc(r.id, r.enterprise_id, r.category_id, weigh(tf, df, n), r.title) for r, tf in zip(rows, tfs)]
    postings = [{"ticket_id": d.ticket_id, "term": t, "weight": w} for d in docs for t, w in d.vector.items()]
    for start in range(0, len(postings), BATCH * 10):
        db.session.execute(insert(TicketTerm), postings[start : start + BATCH * 10])
    stats = [{"term": t, "df": c} for t, c in df.items()] + [{"term": N_DOCS_TERM, "df": n}]
    for start in range(0, len(stats), BATCH * 10):
        db.session.execute(insert(TermStat), stats[start : start + BATCH * 10])
    city = subtree_ids(city_id)
    in_city = [d for d, r in zip(docs, rows) if r.jurisdiction_id in city][-quarter:]
    index = Postings(in_city, df, n)
    edges = [
        {"ticket_id": d.ticket_id, "other_id": other.ticket_id, "score": value}
        for d in in_city
        for other, value in index.lookup(d.vector, d.category, NEIGHBOURS, d.ticket_id, GROUP_THRESHOLD)
    ]
    for start in range(0, len(edges), BATCH * 10):
        db.session.execute(insert(TicketNeighbour), edges[start : start + BATCH * 10])
    db.session.execute(
        update(Ticket).values(similarity_indexed_at=func.now()).execution_options(synchronize_session=False)
    )
    db.session.commit()
    first = db.session.scalar(select(Ticket.created_at).where(Ticket.id == in_city[0].ticket_id)) if in_city else None
    return len(postings), len(edges), first


def _vacuum(db) -> None:
    """After the bulk load, what autovacuum would do in time: statistics for the planner and, on PostgreSQL,
    the visibility map that index-only scans of the postings need (without it the lookup took 1.2 s)."""
    from sqlalchemy import text

    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in ("tickets", "ticket_terms", "term_stats", "ticket_neighbours"):
                connection.execute(text(f"VACUUM (ANALYZE) {table}"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="sqlite:////tmp/helpdesk_common_issues_bench.db")
    parser.add_argument("--tickets", type=parse_count, default=100_000)
    parser.add_argument("--quarter", type=parse_count, default=12_000, help="the city's last tickets given edges")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    generate(args.database_url, args.tickets, recreate=True, seed=args.seed)
    print(f"bench world of {args.tickets:,} tickets in {time.perf_counter() - started:.0f} s")
    app = make_app(args.database_url)
    with app.app_context(), app.test_request_context():
        from helpdesk.auth.models import User
        from helpdesk.calendar.workdays import local_date
        from helpdesk.common_issues.queries import candidate_groups_for, similar_tickets
        from helpdesk.extensions import db
        from helpdesk.jurisdictions.models import Jurisdiction

        step = time.perf_counter()
        _texts(db, args.seed)
        city = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == "411600"))
        n_postings, n_edges, first = _index(db, args.quarter, city.id)
        db.session.commit()
        _vacuum(db)
        print(
            f"texts and index: {n_postings:,} postings, {n_edges:,} neighbour edges of the city's last "
            f"{args.quarter:,} tickets, in {time.perf_counter() - step:.0f} s"
        )
        viewer = db.session.scalar(select(User).where(User.email == BENCH_LOGINS["province_supervisor"]))
        items = TextMaker(args.seed).items
        queries = [(i["title"], i["description"], i["category"]) for i in items[:: len(items) // 9]][:10]
        walls, cpus = [], []
        for title, description, category in queries:
            wall, cpu = median_ms(
                lambda t=title, d=description, c=category: similar_tickets(viewer, t, d, c), args.repeat
            )
            walls.append(wall)
            cpus.append(cpu)
        print(
            f"similar lookup of a supervisor (2 statements and the tickets' load), {len(queries)} queries, median of "
            f"{args.repeat}: wall median {statistics.median(walls):.1f} ms, worst {max(walls):.1f}; CPU median "
            f"{statistics.median(cpus):.1f} ms, worst {max(cpus):.1f} (target {LOOKUP_TARGET_MS} ms)"
        )
        since = local_date(first) if first else None

        def groups():
            return candidate_groups_for(viewer, jurisdiction_id=city.id, created_from=since)

        found = groups()
        wall, cpu = median_ms(groups, args.repeat)
        print(
            f"candidate groups of the city since {since} from {n_edges:,} stored edges: wall {wall:.0f} ms, CPU "
            f"{cpu:.0f} ms (target {CANDIDATES_TARGET_MS} ms); {len(found)} groups, largest "
            f"{len(found[0].ticket_ids) if found else 0}"
        )
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
