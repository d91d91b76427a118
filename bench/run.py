"""The resolution-rate tracker and the API at scale: `make bench` (python -m bench.run).

For each scale (10k, 100k, 1M tickets by default) on PostgreSQL — and SQLite when asked — it loads
a fresh database with bench.generate, then measures, as medians of repeated runs:
  - the province-wide report grouped by jurisdiction, by department and by month;
  - one county supervisor's report (overall, and grouped by department);
  - a cadre's queue, first page (open tickets assigned to it, by colour then due_at, 20);
  - the ticket list filtered by colour, first page of 20 with its total (as the API pages it);
then, under gunicorn (2 workers on 127.0.0.1), throughput and p95 latency of GET ticket, GET list
and POST ticket from a second process on loopback, each beside a bare Flask JSON endpoint served
the same way. Results go to stdout and to bench/out/ as Markdown; the databases are dropped at the
end unless --keep.

    python -m bench.run --scales 10k,100k,1m --repeat 7
    python -m bench.run --scales 10k,100k --backends postgresql,sqlite --skip-http
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event, func, select

from bench.generate import BENCH_LOGINS, BENCH_PASSWORD, drop_database, generate, make_app, parse_count

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
# The targets of the issue at 1,000,000 tickets on PostgreSQL (milliseconds).
TARGETS_MS = {
    "report: province by jurisdiction": 500,
    "report: province by department": 500,
    "report: province by month": 500,
    "report: county supervisor": 100,
    "report: county by department": 100,
    "cadre queue, page 1": 50,
    "list: red, page 1 + total": 50,
    "list: yellow, page 1 + total": 50,
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- what is measured --------------------------------------------------------------------------------


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


def measure_queries(url: str, repeat: int, explain_to: Path | None) -> dict[str, dict]:
    """Median, min and max wall time (ms) of each case; each run in a fresh session, as a request would be."""
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
            results[name] = {
                "median": statistics.median(times),
                "min": min(times),
                "max": max(times),
                "queries": len([s for s, _ in statements if "tickets" in s]),
            }
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


# -- HTTP --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(app_spec: str, env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app_spec,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        time.sleep(0.2)
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn {app_spec} exited: {process.stderr.read().decode()[-2000:]}")
        try:
            urllib.request.urlopen(base + ("/ping" if "bare" in app_spec else "/healthz"), timeout=10)
            return process, base
        except OSError:  # refused, reset or timed out while the workers boot
            continue
    process.terminate()
    raise RuntimeError(f"gunicorn {app_spec} did not answer")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def http_json(method: str, url: str, body=None, token: str | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read() or b"null")


def load(config: dict) -> dict:
    """Run bench.load in its own process (the client must not share the server's interpreter)."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.load", json.dumps(config)], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return json.loads(output.stdout)


def measure_http(url: str, seconds: float, concurrency: int) -> dict | str:
    """Throughput and latency of three API calls and of the bare endpoint; a string says why it was skipped."""
    env = dict(
        os.environ,
        DATABASE_URL=url,
        HELPDESK_ENV="production",
        SECRET_KEY=secrets.token_hex(32),
        MAIL_SUPPRESS_SEND="true",
        PYTHONPATH=str(ROOT),
    )
    api, base = start_gunicorn("wsgi:app", env)
    try:
        try:
            urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=10)
        except urllib.error.HTTPError as exc:
            return f"skipped: /api/v1/openapi.json answered {exc.code} (the REST API is not there yet)"
        tokens = {}
        for role in ("admin", "county_supervisor", "enterprise"):
            status, body = http_json(
                "POST", base + "/api/v1/auth/token", {"email": BENCH_LOGINS[role], "password": BENCH_PASSWORD}
            )
            tokens[role] = body["token"]
        # GET ticket: tickets of the county supervisor's jurisdiction, spread over the whole table.
        status, page = http_json(
            "GET", base + "/api/v1/tickets?per_page=100&sort=created_at", token=tokens["county_supervisor"]
        )
        ids = [item["id"] for item in page["items"]]
        status, newest = http_json("GET", base + "/api/v1/tickets?per_page=100", token=tokens["county_supervisor"])
        ids += [item["id"] for item in newest["items"]]
        if not ids:
            return "skipped: no ticket visible to the county supervisor"
        county = {"Authorization": f"Bearer {tokens['county_supervisor']}"}
        common = {"base": base, "seconds": seconds, "concurrency": concurrency}
        runs = {
            "GET /api/v1/tickets/{id}": {**common, "paths": [f"/api/v1/tickets/{i}" for i in ids], "headers": county},
            "GET /api/v1/tickets (county, page 1)": {
                **common,
                "paths": ["/api/v1/tickets?per_page=20"],
                "headers": county,
            },
            "POST /api/v1/tickets": {
                **common,
                "method": "POST",
                "paths": ["/api/v1/tickets"],
                "expect": 201,
                "headers": {"Authorization": f"Bearer {tokens['enterprise']}"},
                "body": {
                    "category": "utilities",
                    "title": "厂区供电电压不稳定",
                    "description": "厂区近一周供电电压波动频繁，影响设备运行，请协调供电公司。",
                    "priority": "normal",
                },
            },
        }
        results = {name: load(config) for name, config in runs.items()}
    finally:
        stop(api)
    bare, bare_base = start_gunicorn("bench.bare_app:app", env)
    try:
        results["bare Flask JSON (GET /ping)"] = load(
            {"base": bare_base, "paths": ["/ping"], "seconds": seconds, "concurrency": concurrency}
        )
    finally:
        stop(bare)
    return results


# -- the whole run ------------------------------------------------------------------------------------


def database_url(backend: str, scale: str, pg_base: str) -> str:
    name = f"helpdesk_bench_{scale}"
    if backend == "postgresql":
        return f"{pg_base.rstrip('/')}/{name}"
    OUT.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{OUT / (name + '.db')}"


def fmt(ms: float) -> str:
    return f"{ms:,.1f}" if ms < 100 else f"{ms:,.0f}"


def markdown(machine: str, args, loads: dict, queries: dict, http: dict) -> str:
    lines = [
        f"# Benchmark, {datetime.now(UTC).astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
        "",
        f"Machine: {machine}.",
        f"Command: `python -m bench.run {' '.join(sys.argv[1:])}`",
        "",
        f"Query times are medians of {args.repeat} runs (after one warm-up run), in milliseconds, "
        "measured in-process through the real service and query functions (min–max in brackets).",
        "",
    ]
    columns = list(queries)
    lines.append("## Data load")
    lines.append("")
    lines.append("| database | " + " | ".join(loads[c]["label"] for c in columns) + " |")
    lines.append("|---|" + "---:|" * len(columns))
    for step in ("people and enterprises", "tickets", "total"):
        lines.append(f"| {step} (s) | " + " | ".join(f"{loads[c]['timings'][step]:.1f}" for c in columns) + " |")
    lines.append(
        "| 1-minute load average when the queries began | "
        + " | ".join(f"{loads[c]['load average']:.1f}" for c in columns)
        + " |"
    )
    lines += ["", "## Queries (ms)", ""]
    lines.append("| measurement | target at 1M | " + " | ".join(loads[c]["label"] for c in columns) + " |")
    lines.append("|---|---:|" + "---:|" * len(columns))
    for name in next(iter(queries.values())):
        cells = []
        for c in columns:
            r = queries[c][name]
            cells.append(f"{fmt(r['median'])} ({fmt(r['min'])}–{fmt(r['max'])})")
        lines.append(f"| {name} | < {TARGETS_MS[name]} | " + " | ".join(cells) + " |")
    if http:
        lines += [
            "",
            f"## HTTP under gunicorn (2 workers, loopback, {args.http_seconds:g} s per endpoint, "
            f"{args.http_concurrency} client threads in a second process)",
            "",
        ]
        for c, result in http.items():
            lines.append(f"### {loads[c]['label']}")
            lines.append("")
            if isinstance(result, str):
                lines += [result, ""]
                continue
            bare = result["bare Flask JSON (GET /ping)"]
            lines.append("| endpoint | req/s | p50 ms | p95 ms | errors | req/s vs bare | p95 vs bare |")
            lines.append("|---|---:|---:|---:|---:|---:|---:|")
            for name, r in result.items():
                ratio = r["throughput"] / bare["throughput"] if bare["throughput"] else float("nan")
                p95 = (r["p95_ms"] or 0) / bare["p95_ms"] if bare["p95_ms"] else float("nan")
                lines.append(
                    f"| {name} | {r['throughput']:,.0f} | {fmt(r['p50_ms'] or 0)} | {fmt(r['p95_ms'] or 0)} "
                    f"| {r['errors']} | {ratio:.2f} | {p95:.1f}× |"
                )
            lines.append("")
    return "\n".join(lines) + "\n"


def machine_description() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){memory}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark the resolution-rate tracker and the API at scale.")
    parser.add_argument("--scales", default="10k,100k,1m", help="ticket counts, comma-separated (10k,100k,1m)")
    parser.add_argument("--backends", default="postgresql", help="postgresql and/or sqlite, comma-separated")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432"),
        help="PostgreSQL server (a database helpdesk_bench_<scale> is created there)",
    )
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per query (at least 5)")
    parser.add_argument("--http-seconds", type=float, default=8.0)
    parser.add_argument("--http-concurrency", type=int, default=4)
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="measure existing databases instead of loading them")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--explain", action="store_true", help="write EXPLAIN ANALYZE of each query to bench/out/")
    args = parser.parse_args(argv)
    args.repeat = max(5, args.repeat)
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")

    loads, queries, http = {}, {}, {}
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        for scale in [s.strip().lower() for s in args.scales.split(",") if s.strip()]:
            key = f"{backend}-{scale}"
            label = f"{'PostgreSQL' if backend == 'postgresql' else 'SQLite'} {parse_count(scale):,}"
            url = database_url(backend, scale, args.pg_url)
            try:
                if args.reuse:
                    timings = {"people and enterprises": 0.0, "tickets": 0.0, "total": 0.0}
                else:
                    log(f"[{label}] loading {url}")
                    timings = generate(url, parse_count(scale))
                loads[key] = {"label": label, "timings": timings}
                log(f"[{label}] loaded in {timings['total']:.1f} s; measuring queries")
                explain = OUT / f"plans-{key}-{stamp}.txt" if args.explain else None
                loads[key]["load average"] = os.getloadavg()[0]
                queries[key] = measure_queries(url, args.repeat, explain)
                if not args.skip_http:
                    log(f"[{label}] measuring HTTP")
                    http[key] = measure_http(url, args.http_seconds, args.http_concurrency)
            finally:
                if not args.keep:
                    drop_database(url)
    report = markdown(machine_description(), args, loads, queries, http)
    path = OUT / f"bench-{stamp}.md"
    path.write_text(report, encoding="utf-8")
    print(report)
    log(f"written to {path}")


if __name__ == "__main__":
    main()
