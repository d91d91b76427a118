"""The Markdown report of one bench.run: tables ready to paste into docs/PERFORMANCE.md."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.http_bench import DASHBOARD, FILING_PAIR, PAIRS
from bench.inprocess import TARGETS_MS


def fmt(ms: float | None) -> str:
    if ms is None:
        return "–"
    return f"{ms:,.2f}" if ms < 10 else f"{ms:,.1f}" if ms < 100 else f"{ms:,.0f}"


def rate(rps: float) -> str:
    return f"{rps:,.1f}" if rps < 10 else f"{rps:,.0f}"


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


def _loads(columns: dict) -> list[str]:
    lines = ["## Data load", "", "| step | " + " | ".join(c["label"] for c in columns.values()) + " |"]
    lines.append("|---|" + "---:|" * len(columns))
    for step in ("people and enterprises", "tickets", "total"):
        cells = [f"{c['timings'].get(step, 0.0):.1f}" for c in columns.values()]
        lines.append(f"| {step} (s) | " + " | ".join(cells) + " |")
    return lines + [""]


def _queries(columns: dict, repeat: int) -> list[str]:
    measured = {key: c for key, c in columns.items() if c.get("queries")}
    if not measured:
        return []
    lines = [
        f"## In-process timings (ms: median of {repeat} after a warm-up, min–max in brackets; "
        "statements: SQL statements per run)",
        "",
        "| measurement | target at 1M (PostgreSQL) | "
        + " | ".join(c["label"] for c in measured.values())
        + " | statements |",
        "|---|---:|" + "---:|" * len(measured) + "---:|",
    ]
    names = list(dict.fromkeys(name for c in measured.values() for name in c["queries"]))
    for name in names:
        cells, counts = [], []
        for c in measured.values():
            r = c["queries"].get(name)
            cells.append(f"{fmt(r['median'])} ({fmt(r['min'])}–{fmt(r['max'])})" if r else "–")
            if r:
                counts.append(str(r["statements"]))
        target = TARGETS_MS.get(name)
        lines.append(
            f"| {name} | {'≤ ' + str(target) if target else ''} | "
            + " | ".join(cells)
            + f" | {' / '.join(dict.fromkeys(counts))} |"
        )
    loads = [f"{c['load average']:.1f}" for c in measured.values()]
    lines.append("| 1-minute load average when they began | | " + " | ".join(loads) + " | |")
    return lines + [""]


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _ratio(ours: dict, floor: dict) -> str:
    """Ratio of the medians, and in brackets the range of the per-run ratios (each run pairs the two)."""
    paired = [a / b for a, b in zip(ours["rps_runs"], floor["rps_runs"]) if b]
    spread = f" ({min(paired):.2f}–{max(paired):.2f})" if len(paired) > 1 else ""
    return f"**{ours['rps'] / floor['rps']:.2f}×**{spread}"


def _cpu_ratio(ours: dict, floor: dict) -> str:
    """Floor CPU per request over ours (app + database): the throughput ratio of two CPU-bound servers."""
    a = ours["app_cpu_ms"] + (ours["db_cpu_ms"] or 0)
    b = floor["app_cpu_ms"] + (floor["db_cpu_ms"] or 0)
    return f"{b / a:.2f}×" if a else "–"


def _http(columns: dict) -> list[str]:
    lines = []
    for c in columns.values():
        if isinstance(c.get("http"), dict) and "skipped" in c["http"]:
            lines += [f"HTTP on {c['label']} skipped: {c['http']['skipped']}", ""]
    measured = {key: c for key, c in columns.items() if isinstance(c.get("http"), dict) and "skipped" not in c["http"]}
    if not measured:
        return lines
    first = next(iter(measured.values()))["http"]
    lines += [
        f"## HTTP: ours and the floor in one interleaved run (gunicorn, 2 sync workers; {first['client']}, "
        f"{first['connections']} connections; median req/s of {first['runs']} runs of {first['seconds']:g} s)",
        "",
        "| request | "
        + " | ".join(f"{c['label']}: ours | floor | ours/floor | by CPU" for c in measured.values())
        + " | target |",
        "|---|" + "---:|---:|---:|---:|" * len(measured) + "---:|",
    ]
    for ours, floor, target in PAIRS:
        cells = []
        for c in measured.values():
            rows = c["http"]["rows"]
            cells += [rate(rows[ours]["rps"]), f"{rate(rows[floor]['rps'])} ({floor.removeprefix('floor: ')})"]
            cells += [_ratio(rows[ours], rows[floor]), _cpu_ratio(rows[ours], rows[floor])]
        lines.append(_row([f"`{ours}`", *cells, f"≥ {target:.2f}×"]))
    cells = []
    for c in measured.values():
        d = c["http"]["rows"][DASHBOARD]
        cells += [f"{rate(d['rps'])} req/s, p50 {fmt(d['p50_ms'])} ms", "", "", ""]
    lines.append(_row([DASHBOARD, *cells, ""]))
    cells = []
    for c in measured.values():
        x = c["http"]["load_average"]
        cells += [f"{x['median']:.1f} ({x['min']:.1f}–{x['max']:.1f})", "", "", ""]
    lines.append(_row(["1-minute load average during the runs (median, min–max)", *cells, ""]))
    lines += [
        "",
        "Per request, medians of the runs: latency under the load (p50 / p95), and the CPU time the "
        "server spent — gunicorn's workers (app), and on PostgreSQL the database's backends (db) — from an idle "
        "server to an idle server again, divided by the requests answered (those in flight when the client "
        "stopped included). *By CPU* above is the floor's CPU per request over ours: what the ratio would be "
        "if both were bound by CPU alone (it is not for SQLite commits, which wait for the disk).",
        "",
    ]
    lines += [
        "| database | measurement | req/s (min–max) | p50 ms | p95 ms | app CPU ms | db CPU ms | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for c in measured.values():
        for name, r in c["http"]["rows"].items():
            errors = str(r["errors"]) + (f" ({', '.join(r['error_samples'])})" if r["error_samples"] else "")
            lines.append(
                f"| {c['label']} | {name} | {rate(r['rps'])} ({rate(r['rps_min'])}–{rate(r['rps_max'])}) "
                f"| {fmt(r['p50_ms'])} | {fmt(r['p95_ms'])} | {fmt(r['app_cpu_ms'])} | {fmt(r['db_cpu_ms'])} "
                f"| {errors} |"
            )
    lines.append("")
    for c in measured.values():
        if c["http"]["sqlite_pragmas"]:
            lines += [f"{c['label']}: SQLite connections of both apps run with `{c['http']['sqlite_pragmas']}`.", ""]
    lines += _filing(measured)
    return lines


def _filing(measured: dict) -> list[str]:
    lines = []
    for c in measured.values():
        n = c["http"].get("filing_workers")
        if not n:
            continue
        rows = c["http"]["rows"]
        lines += [
            f"### Filing throughput on {c['label']} (`POST /api/v1/tickets` beside the floor's insert)",
            "",
            "| gunicorn workers | ours req/s | floor req/s | ours/floor |",
            "|---:|---:|---:|---:|",
        ]
        for workers, (ours, floor) in ((2, PAIRS[2][:2]), (n, tuple(x.format(n=n) for x in FILING_PAIR))):
            a, b = rows[ours], rows[floor]
            lines.append(_row([str(workers), rate(a["rps"]), rate(b["rps"]), _ratio(a, b)]))
        lines.append("")
    return lines


def _common_issues(columns: dict) -> list[str]:
    """The similar lookup by role and the city's candidate groups (bench/common_issues_bench.py), per database."""
    from bench.common_issues_bench import CANDIDATES_TARGET_MS, LOOKUP_ROLES, LOOKUP_TARGET_MS

    measured = {k: c for k, c in columns.items() if c.get("common issues")}
    if not measured:
        return []
    labels = [c["label"] for c in measured.values()]
    lines = [
        "## Common issues: the similar lookup and the candidate groups (ms; median over 10 texts, worst in brackets)",
        "",
        _row(["measurement", "target", *labels]),
        "|---|---:|" + "---:|" * len(labels),
    ]
    for role in LOOKUP_ROLES:
        cells = [
            f"{fmt(c['common issues'][f'lookup: {role}']['median'])} ({fmt(c['common issues'][f'lookup: {role}']['worst'])})"
            for c in measured.values()
        ]
        lines.append(_row([f"similar lookup, {role.replace('_', ' ')}", f"≤ {LOOKUP_TARGET_MS}", *cells]))
    groups = [fmt(c["common issues"]["candidate groups"]["median"]) for c in measured.values()]
    lines.append(_row(["candidate groups of the city, last quarter", f"≤ {CANDIDATES_TARGET_MS}", *groups]))
    index = [
        f"{c['common issues']['postings']:,} postings, {c['common issues']['edges']:,} edges" for c in measured.values()
    ]
    lines += [_row(["index", "", *index]), ""]
    return lines


def markdown(args, columns: dict) -> str:
    lines = [
        f"# Benchmark, {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        "",
        f"Machine: {machine_description()}; 1-minute load average at the end: {os.getloadavg()[0]:.1f}.",
        f"Command: `python -m bench.run {' '.join(sys.argv[1:])}`",
        "",
    ]
    lines += _loads(columns)
    lines += _queries(columns, args.repeat)
    lines += _http(columns)
    lines += _common_issues(columns)
    return "\n".join(lines) + "\n"
