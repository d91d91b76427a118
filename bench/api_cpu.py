"""CPU per request of the three API calls of issue 13 and of the floor's, in-process (Flask's test client, no server).

For an A/B of two builds on one database: the figures do not include gunicorn, the client or the network, so they
drift less than `make bench`'s req/s on this shared machine, and `--root` measures another checkout's code (a
`git worktree` of an older commit) with this script.

    python -m bench.api_cpu sqlite:///s100k.db                        # ours: get, list, post; and the floor
    python -m bench.api_cpu sqlite:///s100k.db --root ../old --calls get list
    python -m bench.api_cpu sqlite:///s100k.db --profile list        # cProfile of one call, by cumulative time
    python -m bench.api_cpu sqlite:///s100k.db --statement-times post  # each statement's time in the driver

The database comes from `python -m bench.generate` (its logins and password). Medians of 5 rounds of `process_time`;
filing adds tickets to the database, as `make bench` does.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROUNDS = 5
PER_ROUND = {"get": 400, "list": 100, "post": 100}


def _ours(url: str):
    from bench.generate import BENCH_LOGINS, BENCH_PASSWORD
    from bench.http_bench import NEW_TICKET
    from helpdesk import create_app

    app = create_app("production", SQLALCHEMY_DATABASE_URI=url, MAIL_SUPPRESS_SEND=True, SECRET_KEY="b" * 64)
    client = app.test_client()

    def bearer(login: str) -> dict:
        body = {"email": BENCH_LOGINS[login], "password": BENCH_PASSWORD}
        return {"Authorization": "Bearer " + client.post("/api/v1/auth/token", json=body).get_json()["token"]}

    county, filer = bearer("county_supervisor"), bearer("enterprise")
    ids = [t["id"] for t in client.get("/api/v1/tickets?per_page=100", headers=county).get_json()["items"]]
    turn = iter(range(10**9))
    return {
        "get": lambda: client.get(f"/api/v1/tickets/{ids[next(turn) % len(ids)]}", headers=county),
        "list": lambda: client.get("/api/v1/tickets?per_page=25", headers=county),
        "post": lambda: client.post("/api/v1/tickets", json=NEW_TICKET, headers=filer),
        "app": app,
    }


def _floor(url: str):
    from bench.bare_app import create_floor_app
    from bench.http_bench import NEW_TICKET, ours_sqlite_pragmas

    client = create_floor_app(url, ours_sqlite_pragmas(url)).test_client()
    turn = iter(range(10**9))
    return {
        "get": lambda: client.get(f"/floor/pk/{1 + next(turn) % 1000}"),
        "list": lambda: client.get("/floor/rows?n=25"),
        "post": lambda: client.post("/floor/insert", json=NEW_TICKET),
    }


def measure(send, count: int) -> list[float]:
    """ms of CPU per request, one figure per round (after a warm-up of 20); every answer a success."""
    for _ in range(20):
        assert send().status_code < 400
    rounds = []
    for _ in range(ROUNDS):
        start = time.process_time()
        for _ in range(count):
            assert send().status_code < 400
        rounds.append((time.process_time() - start) / count * 1000)
    return rounds


def statement_times(app, send, count: int) -> None:
    """Per request: each statement's median time from the cursor's execute to its return (the driver and the
    database, not SQLAlchemy's work around it), then the request's wall time and those times' sum."""
    from sqlalchemy import event

    from helpdesk.extensions import db

    for _ in range(20):
        send()
    times: dict[str, list[float]] = {}
    started: list[float] = []
    with app.app_context():
        engine = db.engine

    def before(*args):
        started.append(time.perf_counter())

    def after(conn, cursor, statement, *args):
        times.setdefault(" ".join(statement.split()[:4])[:70], []).append((time.perf_counter() - started.pop()) * 1000)

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    start = time.perf_counter()
    for _ in range(count):
        send()
    wall = (time.perf_counter() - start) / count * 1000
    for statement, spent in times.items():
        print(f"{statistics.median(spent):7.3f} ms  ×{len(spent) / count:.0f}  {statement}")
    total = sum(statistics.median(spent) * len(spent) / count for spent in times.values())
    print(f"request {wall:.2f} ms wall, of which {total:.2f} ms in the statements")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--calls", nargs="+", choices=sorted(PER_ROUND), default=["get", "list", "post"])
    parser.add_argument("--root", help="measure the helpdesk package of this checkout instead")
    parser.add_argument("--no-floor", action="store_true")
    parser.add_argument("--profile", choices=sorted(PER_ROUND), help="cProfile one call instead")
    parser.add_argument(
        "--statement-times", choices=sorted(PER_ROUND), help="the median wall time of each statement of one call"
    )
    args = parser.parse_args(argv)
    if args.root:
        sys.path.insert(0, str(Path(args.root).resolve()))
    ours = _ours(args.url)
    if args.profile:
        import cProfile
        import pstats

        send = ours[args.profile]
        send()
        profile = cProfile.Profile()
        profile.runcall(lambda: [send() for _ in range(PER_ROUND[args.profile])])
        pstats.Stats(profile).sort_stats("cumulative").print_stats(60)
        return
    if args.statement_times:
        statement_times(ours["app"], ours[args.statement_times], PER_ROUND[args.statement_times])
        return
    sides = [("ours", ours)] + ([] if args.no_floor else [("floor", _floor(args.url))])
    for call in args.calls:
        for side, sends in sides:
            rounds = measure(sends[call], PER_ROUND[call])
            spread = " ".join(f"{x:.2f}" for x in rounds)
            print(f"{call:5} {side:5} {statistics.median(rounds):6.2f} ms CPU per request  ({spread})", flush=True)


if __name__ == "__main__":
    main()
