"""One bounded HTTP load against a running server: wrk when installed, else bench/load.py (a Python client).

wrk (Debian's `wrk` package) keeps connections alive as HTTP/1.1 allows; gunicorn's sync workers
close each one after the response, so every request opens a connection, for ours and the floor
alike. The request spec goes to the Lua scripts beside this file through a small spec file.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


@dataclass
class Load:
    """What to send: paths taken in turn, headers, an optional JSON body (then a POST), the status expected."""

    paths: list[str]
    headers: dict[str, str] = field(default_factory=dict)
    body: dict | None = None
    expect: int = 200

    @property
    def method(self) -> str:
        return "GET" if self.body is None else "POST"


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run(base: str, load: Load, seconds: float, connections: int) -> dict:
    """Load `base` for `seconds` with `connections` concurrent connections → requests, errors, req/s, latency."""
    if wrk_available():
        return _run_wrk(base, load, seconds, connections)
    return _run_python(base, load, seconds, connections)


def _spec_lines(load: Load) -> list[str]:
    lines = [f"expect {load.expect}"]
    lines += [f"header {name}: {value}" for name, value in load.headers.items()]
    lines += [f"path {path}" for path in load.paths]
    if load.body is not None:
        lines.append("body " + json.dumps(load.body, ensure_ascii=False, separators=(",", ":")))
    return lines


def _run_wrk(base: str, load: Load, seconds: float, connections: int) -> dict:
    script = HERE / ("wrk_post.lua" if load.body is not None else "wrk_get.lua")
    with tempfile.NamedTemporaryFile("w", suffix=".spec", encoding="utf-8") as spec:
        spec.write("\n".join(_spec_lines(load)) + "\n")
        spec.flush()
        command = ["wrk", "--threads", str(min(2, connections)), "--connections", str(connections)]
        command += ["--duration", f"{max(1, round(seconds))}s", "--timeout", "60s", "--script", str(script), base]
        output = subprocess.run(
            command,
            cwd=ROOT,
            env={"BENCH_WRK_SPEC": spec.name, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
        )
    line = next((x for x in output.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if output.returncode or line is None:
        raise RuntimeError(f"wrk failed ({output.returncode}): {output.stderr[-1000:] or output.stdout[-1000:]}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    seconds_run = raw["duration_us"] / 1e6
    good = raw["requests"] - raw["unexpected"]
    return {
        "client": "wrk",
        "requests": good,
        "errors": raw["unexpected"] + raw["socket_errors"] + raw["timeouts"],
        "error_sample": raw["sample"],
        "seconds": seconds_run,
        "throughput": good / seconds_run if seconds_run else 0.0,
        **{f"{key}_ms": raw[f"{key}_us"] / 1000 if raw["requests"] else None for key in ("p50", "p95", "p99", "mean")},
    }


def _run_python(base: str, load: Load, seconds: float, connections: int) -> dict:
    """bench/load.py in its own process (the client must not share an interpreter with anything measured)."""
    config = {
        "base": base,
        "method": load.method,
        "paths": load.paths,
        "headers": load.headers,
        "body": load.body,
        "expect": load.expect,
        "seconds": seconds,
        "concurrency": connections,
    }
    output = subprocess.run(
        [sys.executable, "-m", "bench.load", json.dumps(config)], cwd=ROOT, check=True, capture_output=True, text=True
    )
    raw = json.loads(output.stdout)
    return {
        "client": "bench.load",
        "requests": raw["requests"],
        "errors": raw["errors"],
        "error_sample": (raw["error_samples"] or [""])[0],
        "seconds": raw["seconds"],
        "throughput": raw["throughput"],
        "p50_ms": raw["p50_ms"],
        "p95_ms": raw["p95_ms"],
        "p99_ms": raw["p99_ms"],
        "mean_ms": raw["mean_ms"],
    }
