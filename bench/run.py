"""`make bench` (python -m bench.run): the tracker and the API at scale, ours beside a bare floor (issue 13).

The default run (about 35 minutes on 2 cores):
  - SQLite and PostgreSQL at 100,000 tickets: the in-process timings, then the HTTP run — ours
    and the floor app (bench/bare_app.py) under gunicorn, interleaved, ratios ours/floor — and on
    SQLite the filing throughput with 2 and 4 workers; then the common issues (issue 14,
    bench/common_issues_bench.py): synthetic texts and the similarity index on the same database
    (~5 minutes each), the similar lookup of three roles and the city's candidate groups;
  - PostgreSQL at 1,000,000 tickets: the in-process timings only (reports, lists, the supervisors'
    dashboard pages, the whole-history province report).
Each database is loaded by bench.generate and dropped at the end (--keep keeps it, --reuse
measures a kept one). Markdown goes to stdout and bench/out/bench-<time>.md.

    python -m bench.run                                          # the default above
    python -m bench.run --backends sqlite --big-scales '' --runs 3   # SQLite 100k only, 3 HTTP runs
    python -m bench.run --skip-http --scales 10k,100k             # in-process timings only
    python -m bench.run --skip-http --skip-queries --big-scales '' # the common issues only
    python -m bench.run --db-prefix helpdesk_bench_h_ --keep        # own database names, kept afterwards
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime
from pathlib import Path

from bench.common_issues_bench import measure_common_issues
from bench.generate import drop_database, generate, parse_count
from bench.http_bench import measure_http
from bench.inprocess import measure_pages, measure_queries
from bench.report import markdown

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def database_url(backend: str, scale: str, pg_base: str, prefix: str) -> str:
    name = f"{prefix}{scale}"
    if backend == "postgresql":
        return f"{pg_base.rstrip('/')}/{name}"
    OUT.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{OUT / (name + '.db')}"


def _split(value: str) -> list[str]:
    return [item.strip().lower() for item in value.split(",") if item.strip()]


def plan(args) -> list[dict]:
    """The (backend, scale) columns in order, each with what is measured on it."""
    columns = []
    for backend in _split(args.backends):
        if backend not in ("sqlite", "postgresql"):
            raise SystemExit(f"unknown backend {backend!r} (sqlite, postgresql)")
        for scale in _split(args.scales):
            columns.append(
                {
                    "backend": backend,
                    "scale": scale,
                    "http": not args.skip_http,
                    "filing": backend == "sqlite" and not args.skip_filing,
                    "common_issues": not args.skip_common_issues,
                }
            )
    if "postgresql" in _split(args.backends):
        for scale in _split(args.big_scales):
            columns.append(
                {"backend": "postgresql", "scale": scale, "http": False, "filing": False, "common_issues": False}
            )
    return columns


def measure_column(column: dict, args, stamp: str) -> dict:
    backend, scale = column["backend"], column["scale"]
    label = f"{'PostgreSQL' if backend == 'postgresql' else 'SQLite'} {parse_count(scale):,}"
    url = database_url(backend, scale, args.pg_url, args.db_prefix)
    result: dict = {"label": label}
    try:
        if args.reuse:
            result["timings"] = {}
        else:
            log(f"[{label}] loading {url}")
            result["timings"] = generate(url, parse_count(scale))
            log(f"[{label}] loaded in {result['timings']['total']:.1f} s")
        result["load average"] = os.getloadavg()[0]
        if not args.skip_queries:
            log(f"[{label}] in-process timings")
            explain = OUT / f"plans-{backend}-{scale}-{stamp}.txt" if args.explain else None
            result["queries"] = measure_queries(url, args.repeat, explain)
            result["queries"].update(measure_pages(url, args.repeat))
        if column["http"]:
            log(f"[{label}] HTTP, ours and the floor interleaved")
            result["http"] = measure_http(
                url,
                runs=args.runs,
                seconds=args.http_seconds,
                dashboard_seconds=args.dashboard_seconds,
                connections=args.connections,
                filing_workers=4 if column["filing"] else None,
            )
        if column["common_issues"]:
            log(f"[{label}] common issues: texts, the similarity index, lookups and candidate groups")
            generated = None if args.reuse else parse_count(scale)
            result["common issues"] = measure_common_issues(url, args.repeat, generated=generated)
    finally:
        if not args.keep:
            drop_database(url)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark the tracker and the API at scale, beside a bare floor.")
    parser.add_argument("--backends", default="sqlite,postgresql", help="sqlite and/or postgresql, comma-separated")
    parser.add_argument("--scales", default="100k", help="scales measured in-process and over HTTP (10k,100k,…)")
    parser.add_argument("--big-scales", default="1m", help="PostgreSQL scales measured in-process only ('' for none)")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432"),
        help="PostgreSQL server on which databases <prefix><scale> are created",
    )
    parser.add_argument(
        "--db-prefix",
        default=os.environ.get("BENCH_DB_PREFIX", "helpdesk_bench_"),
        help="database (and SQLite file) name prefix, default helpdesk_bench_",
    )
    parser.add_argument("--repeat", type=int, default=7, help="timed in-process runs per case (at least 5)")
    parser.add_argument("--runs", type=int, default=5, help="interleaved HTTP runs (medians are reported)")
    parser.add_argument("--http-seconds", type=float, default=5.0, help="seconds per HTTP measurement and run")
    parser.add_argument("--dashboard-seconds", type=float, default=10.0, help="seconds per dashboard page run")
    parser.add_argument("--connections", type=int, default=4, help="concurrent client connections")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-filing", action="store_true", help="no 4-worker filing throughput on SQLite")
    parser.add_argument("--skip-queries", action="store_true", help="no in-process timings")
    parser.add_argument(
        "--skip-common-issues", action="store_true", help="no similarity index, similar lookups or candidate groups"
    )
    parser.add_argument("--reuse", action="store_true", help="measure existing databases instead of loading them")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--explain", action="store_true", help="write EXPLAIN ANALYZE of each query to bench/out/")
    args = parser.parse_args(argv)
    args.repeat = max(5, args.repeat)
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    columns = {}
    if not plan(args):
        raise SystemExit("nothing to measure: give --backends and --scales or --big-scales")
    path = OUT / f"bench-{stamp}.md"
    for column in plan(args):
        columns[f"{column['backend']}-{column['scale']}"] = measure_column(column, args, stamp)
        # After each column, so that a late failure keeps what was measured; the raw figures go beside it.
        path.with_suffix(".json").write_text(json.dumps(columns, indent=1, default=str), encoding="utf-8")
        report = markdown(args, columns)
        path.write_text(report, encoding="utf-8")
    print(report)
    log(f"written to {path}")


if __name__ == "__main__":
    main()
