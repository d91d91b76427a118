"""Ours and the floor under gunicorn, measured side by side in one interleaved run (issue 13).

Both apps are up at once, on the same database, each with 2 sync workers (and, for the filing
throughput, 4). Every run takes each measurement in turn for a few seconds — ours GET ticket,
floor pk select, ours list, floor 25 rows, ours POST, floor insert, the province dashboard page,
then the 4-worker filing pair — so that both sides meet the same noise. Per measurement it keeps
the median req/s over the runs, latency, and the CPU the server's workers (and PostgreSQL's
backends of the database) spent per request, from /proc before and after each run.
"""

from __future__ import annotations

import json
import os
import secrets
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench import http_load
from bench.generate import BENCH_LOGINS, BENCH_PASSWORD, make_app
from bench.http_load import Load
from bench.inprocess import CSRF
from bench.servers import FLOOR, OURS, CpuMeter, Server, start_gunicorn

# (ours, floor, target ratio ours/floor) — issue 13.
PAIRS = [
    ("GET /api/v1/tickets/{id}", "floor: pk select", 0.40),
    ("GET /api/v1/tickets?per_page=25", "floor: 25 rows", 0.30),
    ("POST /api/v1/tickets", "floor: insert", 0.15),
]
FILING_PAIR = ("POST /api/v1/tickets, {n} workers", "floor: insert, {n} workers")
IDLE_INTERVAL, IDLE_CPU = 0.25, 0.04  # idle: below 4% of a core over a quarter of a second
DASHBOARD = "province supervisor's dashboard page"
NEW_TICKET = {
    "category": "utilities",
    "title": "厂区供电电压不稳定",
    "description": "厂区近一周供电电压波动频繁，影响设备运行，请协调供电公司。",
    "priority": "normal",
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Measurement:
    name: str
    server: Server
    load: Load
    seconds: float
    runs: list[dict] = field(default_factory=list)


def ours_sqlite_pragmas(url: str) -> str:
    """The pragmas ours runs its SQLite connections with, as FLOOR_SQLITE_PRAGMAS, so that the floor uses them too."""
    if make_url(url).get_backend_name() != "sqlite":
        return ""
    from helpdesk.extensions import db

    app = make_app(url)
    with app.app_context():
        with db.engine.connect() as conn:
            values = {
                name: conn.scalar(text(f"PRAGMA {name}"))
                for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
            }
        db.engine.dispose()
    return ",".join(f"{name}={value}" for name, value in values.items())


def _request(method: str, url: str, body: bytes | None = None, headers: dict | None = None):
    """One request without following redirects → (status, headers, body)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def api_token(base: str, email: str) -> str:
    body = json.dumps({"email": email, "password": BENCH_PASSWORD}).encode()
    status, _, raw = _request("POST", base + "/api/v1/auth/token", body, {"Content-Type": "application/json"})
    if status not in (200, 201):
        raise RuntimeError(f"token for {email}: {status}")
    return json.loads(raw)["token"]


def session_cookie(base: str, email: str) -> str:
    """Log in through the real form (GET /login for the CSRF token, POST it) → the Cookie header to send."""
    jar = SimpleCookie()
    status, headers, page = _request("GET", base + "/login")
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    token = CSRF.search(page.decode())
    form = urllib.parse.urlencode(
        {"csrf_token": token.group(1) if token else "", "email": email, "password": BENCH_PASSWORD}
    ).encode()
    cookie = "; ".join(f"{k}={m.value}" for k, m in jar.items())
    status, headers, _ = _request(
        "POST", base + "/login", form, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    )
    if status != 302:
        raise RuntimeError(f"login of {email} through the form answered {status}")
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    return "; ".join(f"{k}={m.value}" for k, m in jar.items())


def _ticket_ids(base: str, token: str) -> list[int]:
    """Tickets of the county supervisor's jurisdiction: its oldest and newest hundred."""
    ids = []
    for query in ("per_page=100&sort=created_at", "per_page=100"):
        status, _, raw = _request("GET", f"{base}/api/v1/tickets?{query}", headers={"Authorization": f"Bearer {token}"})
        if status != 200:
            raise RuntimeError(f"GET /api/v1/tickets?{query}: {status}")
        ids += [item["id"] for item in json.loads(raw)["items"]]
    return ids


def wait_until_idle(meter: CpuMeter, limit: float = 120.0) -> None:
    """Wait until the server's workers (and database backends) stop using CPU.

    When the client stops, the server still owes the requests in flight and those queued in its
    listen backlog (one per connection); with a slow page that is seconds of work, which must not
    fall into the next measurement.
    """
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = meter.read()
        time.sleep(IDLE_INTERVAL)
        if sum(CpuMeter.spent(before, meter.read()).values()) < IDLE_CPU * IDLE_INTERVAL:
            return
    log(f"  {meter.server.name} still busy after {limit:.0f} s")


def _measure(m: Measurement, connections: int, meter: CpuMeter, seconds: float | None = None) -> dict:
    """One load of `m` from an idle server to an idle server again; CPU per request counts the requests in flight.

    The CPU is read after the server has also answered the request each connection had in flight
    when the client stopped (answers the client no longer reads), so it is divided by the
    requests completed plus one per connection.
    """
    wait_until_idle(meter)
    before = meter.read()
    result = http_load.run(m.server.base, m.load, seconds or m.seconds, connections)
    result["load_average"] = os.getloadavg()[0]
    wait_until_idle(meter)
    cpu = CpuMeter.spent(before, meter.read())
    served = result["requests"] + result["errors"] + connections
    result["app_cpu_ms"] = cpu["app"] * 1000 / served
    result["db_cpu_ms"] = cpu["db"] * 1000 / served if meter.database else None
    return result


def summarise(m: Measurement) -> dict:
    rps = [r["throughput"] for r in m.runs]

    def med(key):
        values = [r[key] for r in m.runs if r[key] is not None]
        return statistics.median(values) if values else None

    samples = sorted({r["error_sample"] for r in m.runs if r["error_sample"]})
    return {
        "rps": statistics.median(rps),
        "rps_min": min(rps),
        "rps_max": max(rps),
        "rps_runs": rps,
        "p50_ms": med("p50_ms"),
        "p95_ms": med("p95_ms"),
        "app_cpu_ms": med("app_cpu_ms"),
        "db_cpu_ms": med("db_cpu_ms"),
        "errors": sum(r["errors"] for r in m.runs),
        "error_samples": samples[:3],
        "workers": m.server.workers,
        "runs": len(m.runs),
    }


def measure_http(
    url: str, runs: int, seconds: float, dashboard_seconds: float, connections: int, filing_workers: int | None = None
) -> dict:
    """The interleaved HTTP run on the database at `url`; a dict with "skipped" says why it could not run."""
    pragmas = ours_sqlite_pragmas(url)
    env = dict(os.environ, DATABASE_URL=url, HELPDESK_ENV="production", SECRET_KEY=secrets.token_hex(32))
    env.update(MAIL_SUPPRESS_SEND="true", PYTHONPATH=str(http_load.ROOT), FLOOR_SQLITE_PRAGMAS=pragmas)
    database = make_url(url).database if make_url(url).get_backend_name() == "postgresql" else None
    if not http_load.wrk_available():
        log(
            "wrk is not installed (apt-get install wrk): falling back to bench/load.py, a Python client that "
            "needs more CPU per request than wrk; its figures are not comparable with wrk's"
        )
    servers: list[Server] = []
    try:
        ours = start_gunicorn("ours", OURS, env)
        servers.append(ours)
        floor = start_gunicorn("floor", FLOOR, env)
        servers.append(floor)
        status, _, _ = _request("GET", ours.base + "/api/v1/openapi.json")
        if status != 200:
            return {"skipped": f"/api/v1/openapi.json answered {status} (the REST API is not there)"}
        county = {"Authorization": f"Bearer {api_token(ours.base, BENCH_LOGINS['county_supervisor'])}"}
        filer = {"Authorization": f"Bearer {api_token(ours.base, BENCH_LOGINS['enterprise'])}"}
        ids = _ticket_ids(ours.base, county["Authorization"].split()[1])
        if not ids:
            return {"skipped": "no ticket is visible to the county supervisor"}
        cookie = {"Cookie": session_cookie(ours.base, BENCH_LOGINS["province_supervisor"])}
        plan = [
            Measurement(PAIRS[0][0], ours, Load([f"/api/v1/tickets/{i}" for i in ids], county), seconds),
            Measurement(PAIRS[0][1], floor, Load([f"/floor/pk/{i}" for i in ids]), seconds),
            Measurement(PAIRS[1][0], ours, Load(["/api/v1/tickets?per_page=25"], county), seconds),
            Measurement(PAIRS[1][1], floor, Load(["/floor/rows?n=25"]), seconds),
            Measurement(PAIRS[2][0], ours, Load(["/api/v1/tickets"], filer, NEW_TICKET, 201), seconds),
            Measurement(PAIRS[2][1], floor, Load(["/floor/insert"], {}, NEW_TICKET, 201), seconds),
            Measurement(DASHBOARD, ours, Load(["/dashboard"], cookie), dashboard_seconds),
        ]
        if filing_workers:
            ours_n = start_gunicorn(f"ours-{filing_workers}", OURS, env, workers=filing_workers)
            servers.append(ours_n)
            floor_n = start_gunicorn(f"floor-{filing_workers}", FLOOR, env, workers=filing_workers)
            servers.append(floor_n)
            ours_name, floor_name = (name.format(n=filing_workers) for name in FILING_PAIR)
            plan += [
                Measurement(ours_name, ours_n, Load(["/api/v1/tickets"], filer, NEW_TICKET, 201), seconds),
                Measurement(floor_name, floor_n, Load(["/floor/insert"], {}, NEW_TICKET, 201), seconds),
            ]
        meters = {id(s): CpuMeter(s, database) for s in servers}
        log(f"  warming up {len(plan)} measurements")
        for m in plan:
            _measure(m, connections, meters[id(m.server)], seconds=1)
        for run in range(1, runs + 1):
            for m in plan:
                m.runs.append(_measure(m, connections, meters[id(m.server)]))
            log(f"  run {run}/{runs}: " + ", ".join(f"{m.name} {m.runs[-1]['throughput']:.1f}" for m in plan))
    finally:
        for server in servers:
            server.stop()
    loads = [r["load_average"] for m in plan for r in m.runs]
    return {
        "client": plan[0].runs[0]["client"],
        "connections": connections,
        "seconds": seconds,
        "dashboard_seconds": dashboard_seconds,
        "runs": runs,
        "sqlite_pragmas": pragmas,
        "load_average": {"median": statistics.median(loads), "min": min(loads), "max": max(loads)},
        "rows": {m.name: summarise(m) for m in plan},
        "filing_workers": filing_workers,
    }
