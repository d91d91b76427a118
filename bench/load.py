"""A small bounded HTTP load: N threads on loopback for a fixed time, run as its own process.

    python -m bench.load '{"base": "http://127.0.0.1:8001", "method": "GET", "paths": ["/ping"],
                           "seconds": 5, "concurrency": 4, "headers": {}, "body": null}'

Prints one JSON object: requests, errors, seconds, throughput (req/s) and latency percentiles (ms).
Each request opens its own connection, as gunicorn's sync workers close them after every response.
"""

from __future__ import annotations

import http.client
import json
import statistics
import sys
import threading
import time
from itertools import count
from urllib.parse import urlsplit


def run(config: dict) -> dict:
    base = urlsplit(config["base"])
    paths = config["paths"]
    method = config.get("method", "GET")
    headers = dict(config.get("headers") or {})
    body = config.get("body")
    payload = json.dumps(body).encode() if body is not None else None
    if payload is not None:
        headers.setdefault("Content-Type", "application/json")
    deadline = time.perf_counter() + float(config.get("seconds", 5))
    expected = int(config.get("expect", 200))
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    numbers = count()

    def worker() -> None:
        mine, bad = [], []
        while time.perf_counter() < deadline:
            path = paths[next(numbers) % len(paths)]
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection(base.hostname, base.port, timeout=30)
                conn.request(method, path, body=payload, headers=headers)
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status != expected:
                    bad.append(f"{response.status} {path}")
                    continue
            except OSError as exc:
                bad.append(f"{type(exc).__name__} {path}")
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(int(config.get("concurrency", 4)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    ms = sorted(x * 1000 for x in latencies)

    def pct(p: float) -> float | None:
        return ms[min(len(ms) - 1, int(round(p * (len(ms) - 1))))] if ms else None

    return {
        "requests": len(ms),
        "errors": len(errors),
        "error_samples": errors[:5],
        "seconds": elapsed,
        "throughput": len(ms) / elapsed if elapsed else 0.0,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "mean_ms": statistics.fmean(ms) if ms else None,
    }


if __name__ == "__main__":
    print(json.dumps(run(json.loads(sys.argv[1]))))
