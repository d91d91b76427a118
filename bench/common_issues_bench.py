"""The common-issue queries as the app runs them, on a real bench database (issue 14's targets).

    python -m bench.common_issues_bench --tickets 10k                       # SQLite file, a smoke run
    python -m bench.common_issues_bench --tickets 100k --database-url postgresql+psycopg://…/helpdesk_bench_ci

It builds the bench world (bench.generate: people, companies, tickets), gives the tickets synthetic texts with
realistic similarity (bench.similarity_text), writes the similarity index the way the worker would leave it
(ticket_terms and term_stats for every ticket; neighbour edges, ≤ 20 a ticket scoring ≥ 0.18, for the city's
last --quarter tickets), then times, as medians of --repeat runs (wall and CPU):
- the similar lookup as the API runs it, each in a request context of its own: `similar_tickets` of the province
  supervisor, a county supervisor and a cadre (df with N, the visibility-restricted SQL lookup, the tickets with
  their details) for ten texts of the evaluation set; target 50 ms;
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
LOOKUP_ROLES = ("province_supervisor", "county_supervisor", "cadre")
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


def _index(db, quarter: int, city_id: int, generated: int | None = None) -> tuple[int, int, object]:
    """ticket_terms and term_stats of every ticket, the edges of the city's last `quarter` tickets (of the first
    `generated` ids: those bench.generate loaded, not the thousands of one company, category and county that the
    HTTP part files into the same database before this runs, which made one dense cluster of the quarter)."""
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
    in_city = [d for d, r in zip(docs, rows) if r.jurisdiction_id in city and (generated is None or r.id <= generated)][
        -quarter:
    ]
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


def _lookup_request(app, user_id: int, title: str, description: str, category: str) -> None:
    """One similar lookup the way `POST /api/v1/tickets/similar` runs it: a request context of its own (a new
    session, the jurisdiction tree read again), the caller loaded by id."""
    from helpdesk.auth.models import User
    from helpdesk.common_issues.queries import similar_tickets
    from helpdesk.extensions import db

    with app.test_request_context():
        similar_tickets(db.session.get(User, user_id), title, description, category)
        db.session.remove()


def measure_common_issues(
    url: str, repeat: int = 5, quarter: int = 12_000, seed: int = SEED, generated: int | None = None
) -> dict:
    """On a loaded bench database: synthetic texts and the similarity index (unless they are there already, as
    with `bench.run --reuse`), then the lookups of LOOKUP_ROLES and the city's candidate groups. Returns the
    figures (ms) with what was built; `bench.run` reports them beside the rest."""
    app = make_app(url)
    result: dict = {}
    with app.app_context(), app.test_request_context():
        from helpdesk.auth.models import User
        from helpdesk.calendar.workdays import local_date
        from helpdesk.common_issues.queries import candidate_groups_for
        from helpdesk.extensions import db
        from helpdesk.jurisdictions.models import Jurisdiction
        from helpdesk.tickets.models import Ticket

        city = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == "411600"))
        step = time.perf_counter()
        if db.session.scalar(select(func.count()).select_from(TicketTerm)) == 0:
            _texts(db, seed)
            n_postings, n_edges, first = _index(db, quarter, city.id, generated)
            db.session.commit()
            _vacuum(db)
            result["built in s"] = time.perf_counter() - step
        else:
            n_postings = db.session.scalar(select(func.count()).select_from(TicketTerm))
            n_edges = db.session.scalar(select(func.count()).select_from(TicketNeighbour))
            first = db.session.scalar(
                select(func.min(Ticket.created_at)).where(Ticket.id.in_(select(TicketNeighbour.ticket_id)))
            )
        result.update(postings=n_postings, edges=n_edges, tickets=db.session.scalar(select(func.count(Ticket.id))))
        items = TextMaker(seed).items
        queries = [(i["title"], i["description"], i["category"]) for i in items[:: len(items) // 9]][:10]
        for role in LOOKUP_ROLES:
            user_id = db.session.scalar(select(User.id).where(User.email == BENCH_LOGINS[role]))
            walls, cpus = [], []
            for title, description, category in queries:
                wall, cpu = median_ms(
                    lambda q=(title, description, category), u=user_id: _lookup_request(app, u, *q), repeat
                )
                walls.append(wall)
                cpus.append(cpu)
            result[f"lookup: {role}"] = {
                "median": statistics.median(walls),
                "worst": max(walls),
                "cpu": statistics.median(cpus),
                "queries": len(queries),
            }
        viewer = db.session.scalar(select(User).where(User.email == BENCH_LOGINS["province_supervisor"]))
        since = local_date(first) if first else None

        def groups():
            return candidate_groups_for(viewer, jurisdiction_id=city.id, created_from=since)

        found = groups()
        wall, cpu = median_ms(groups, repeat)
        result["candidate groups"] = {
            "median": wall,
            "cpu": cpu,
            "since": str(since),
            "groups": len(found),
            "largest": len(found[0].ticket_ids) if found else 0,
        }
        db.session.remove()
        db.engine.dispose()
    return result


def describe(result: dict) -> list[str]:
    """The figures of `measure_common_issues` in sentences."""
    lines = [f"{result['postings']:,} postings of {result['tickets']:,} tickets, {result['edges']:,} neighbour edges"]
    if "built in s" in result:
        lines[0] += f" (texts and index built in {result['built in s']:.0f} s)"
    for role in LOOKUP_ROLES:
        r = result[f"lookup: {role}"]
        lines.append(
            f"similar lookup of the {role.replace('_', ' ')} (as a request: its own session, the jurisdiction tree, "
            f"2 statements and the tickets' load), {r['queries']} queries, median of each: wall median "
            f"{r['median']:.1f} ms, worst {r['worst']:.1f}; CPU median {r['cpu']:.1f} ms (target {LOOKUP_TARGET_MS} ms)"
        )
    g = result["candidate groups"]
    lines.append(
        f"candidate groups of the city since {g['since']} from the stored edges: wall {g['median']:.0f} ms, CPU "
        f"{g['cpu']:.0f} ms (target {CANDIDATES_TARGET_MS} ms); {g['groups']} groups, largest {g['largest']}"
    )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="sqlite:////tmp/helpdesk_common_issues_bench.db")
    parser.add_argument("--tickets", type=parse_count, default=100_000)
    parser.add_argument("--quarter", type=parse_count, default=12_000, help="the city's last tickets given edges")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--reuse", action="store_true", help="measure the database as it is (built by a run before)")
    args = parser.parse_args(argv)

    if not args.reuse:
        started = time.perf_counter()
        generate(args.database_url, args.tickets, recreate=True, seed=args.seed)
        print(f"bench world of {args.tickets:,} tickets in {time.perf_counter() - started:.0f} s")
    for line in describe(measure_common_issues(args.database_url, args.repeat, args.quarter, args.seed)):
        print(line)


if __name__ == "__main__":
    main()
