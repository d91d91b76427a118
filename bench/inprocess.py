"""In-process timings: the real report and query functions, and whole pages through the Flask test client.

Each query case runs in a fresh session, as a request would; each page is one request of a test
client logged in through the real login form. One warm-up run, then the median (and min–max) of
`repeat` runs, with the number of SQL statements the case sent.
"""

from __future__ import annotations

import re
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event, func, select

from bench.generate import BENCH_LOGINS, BENCH_PASSWORD, make_app

# The targets at 1,000,000 tickets on PostgreSQL (milliseconds): the resolution-rate issue, then issue 13.
TARGETS_MS = {
    "report: province by jurisdiction": 500,
    "report: province by department": 500,
    "report: province by month": 500,
    "report: county supervisor": 100,
    "report: county by department": 100,
    "cadre queue, page 1": 50,
    "list: red, page 1 + total": 50,
    "list: yellow, page 1 + total": 50,
    "page: province supervisor's dashboard": 250,
    "page: county supervisor's dashboard": 80,
    "API: whole-history province report": 300,
}
CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def _people():
    from helpdesk.auth.models import User
    from helpdesk.extensions import db

    by_email = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(BENCH_LOGINS.values())))}
    return {role: by_email[email] for role, email in BENCH_LOGINS.items()}


def cadre_queue(cadre, now):
    """The workbench's first block: my open tickets, red first, then by deadline."""
    from helpdesk.extensions import db
    from helpdesk.tickets.models import OPEN_STATUSES, Ticket
    from helpdesk.tickets.queries import visible_tickets

    rank = Ticket.colour_rank_sql(now)
    query = (
        visible_tickets(cadre)
        .where(Ticket.assignee_id == cadre.id, Ticket.status.in_([s.value for s in OPEN_STATUSES]))
        .order_by(rank, Ticket.due_at, Ticket.id)
        .limit(20)
    )
    return list(db.session.scalars(query))


def colour_list(user, colour, now):
    """GET /api/v1/tickets?warning=<colour>: the first page of 20, newest first, and the total."""
    from helpdesk.extensions import db
    from helpdesk.tickets.models import Ticket
    from helpdesk.tickets.queries import visible_tickets

    query = (
        visible_tickets(user)
        .where(Ticket.warning_filter(colour, now))
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
    )
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return total, list(db.session.scalars(query.limit(20)))


def cases(people):
    from helpdesk.reports.services import resolution_report

    province, county, cadre = people["province_supervisor"], people["county_supervisor"], people["cadre"]
    return {
        "report: province by jurisdiction": lambda now: resolution_report(province, group_by="jurisdiction", as_of=now),
        "report: province by department": lambda now: resolution_report(province, group_by="department", as_of=now),
        "report: province by month": lambda now: resolution_report(province, group_by="month", as_of=now),
        "report: county supervisor": lambda now: resolution_report(county, as_of=now),
        "report: county by department": lambda now: resolution_report(county, group_by="department", as_of=now),
        "cadre queue, page 1": lambda now: cadre_queue(cadre, now),
        "list: red, page 1 + total": lambda now: colour_list(province, "red", now),
        "list: yellow, page 1 + total": lambda now: colour_list(province, "yellow", now),
    }


def _summary(times: list[float], statements: int) -> dict:
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "statements": statements}


def measure_queries(url: str, repeat: int, explain_to: Path | None) -> dict[str, dict]:
    """Median, min and max wall time (ms) of each query case, and its statement count."""
    from helpdesk.auth.models import User
    from helpdesk.extensions import db

    app = make_app(url)
    results = {}
    with app.app_context():
        ids = {role: user.id for role, user in _people().items()}
        db.session.remove()
        names = list(cases(_people()))
        db.session.remove()
        plans = []
        for name in names:
            times = []
            for attempt in range(repeat + 1):  # the first run warms caches and is not counted
                statements: list[tuple[str, object]] = []

                def record(conn, cursor, statement, parameters, context, executemany, into=statements):
                    into.append((statement, parameters))

                people = {role: db.session.get(User, user_id) for role, user_id in ids.items()}
                run = cases(people)[name]
                event.listen(db.engine, "before_cursor_execute", record)
                now = datetime.now(UTC)
                started = time.perf_counter()
                run(now)
                elapsed = time.perf_counter() - started
                event.remove(db.engine, "before_cursor_execute", record)
                db.session.remove()
                if attempt:
                    times.append(elapsed * 1000)
            results[name] = _summary(times, len(statements))
            if explain_to is not None and db.engine.dialect.name == "postgresql":
                plans.append(_explain(name, statements))
        if plans and explain_to is not None:
            explain_to.write_text("\n\n".join(plans), encoding="utf-8")
        db.session.remove()
        db.engine.dispose()
    return results


def _explain(name: str, statements) -> str:
    from helpdesk.extensions import db

    out = [f"## {name}"]
    raw = db.engine.raw_connection()
    try:
        with raw.cursor() as cur:
            for statement, parameters in statements:
                if "FROM tickets" not in statement:
                    continue
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                out.append(statement.strip())
                out.append("\n".join(row[0] for row in cur.fetchall()))
    finally:
        raw.close()
    return "\n".join(out)


# -- whole requests through the test client ----------------------------------------------------------


def logged_in_client(app, email: str):
    """A test client with a session from the real login form (GET /login for the CSRF token, then POST)."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = CSRF.search(page)
    response = client.post(
        "/login", data={"csrf_token": token.group(1) if token else "", "email": email, "password": BENCH_PASSWORD}
    )
    if response.status_code != 302:
        raise RuntimeError(f"login of {email} answered {response.status_code}")
    return client


def _timed_request(app, send, repeat: int) -> dict:
    from helpdesk.extensions import db

    with app.app_context():
        engine = db.engine
    times, counted = [], []
    for attempt in range(repeat + 1):
        statements: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany, into=statements):
            into.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        started = time.perf_counter()
        response = send()
        elapsed = time.perf_counter() - started
        event.remove(engine, "before_cursor_execute", record)
        if response.status_code != 200:
            raise RuntimeError(f"{response.request.path} answered {response.status_code}")
        if attempt:
            times.append(elapsed * 1000)
            counted.append(len(statements))
    return _summary(times, max(counted))


def measure_pages(url: str, repeat: int) -> dict[str, dict]:
    """The supervisors' dashboard pages and the whole-history province report, one request each time."""
    app = make_app(url)
    province = logged_in_client(app, BENCH_LOGINS["province_supervisor"])
    county = logged_in_client(app, BENCH_LOGINS["county_supervisor"])
    api = app.test_client()
    login = {"email": BENCH_LOGINS["province_supervisor"], "password": BENCH_PASSWORD}
    bearer = {"Authorization": "Bearer " + api.post("/api/v1/auth/token", json=login).get_json()["token"]}
    results = {
        "page: province supervisor's dashboard": _timed_request(app, lambda: province.get("/dashboard"), repeat),
        "page: county supervisor's dashboard": _timed_request(app, lambda: county.get("/dashboard"), repeat),
        "API: whole-history province report": _timed_request(
            app, lambda: api.get("/api/v1/reports/resolution?group_by=jurisdiction", headers=bearer), repeat
        ),
    }
    from helpdesk.extensions import db

    with app.app_context():
        db.engine.dispose()
    return results
