"""gunicorn servers for the HTTP benchmark, and the CPU time their workers (and PostgreSQL's backends) spend.

Ours (`wsgi:app`) and the floor (`bench.bare_app:from_env()`) are started the same way: gunicorn,
sync workers, a free port of 127.0.0.1, the environment of a production deployment.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = "wsgi:app"
FLOOR = "bench.bare_app:from_env()"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    base: str
    workers: int

    def worker_pids(self) -> list[int]:
        return children(self.process.pid)

    def cpu_seconds(self) -> float:
        """utime + stime of the worker processes so far (the master only supervises)."""
        return sum(process_cpu_seconds(pid) for pid in self.worker_pids())

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_gunicorn(name: str, app_spec: str, env: dict, workers: int = 2) -> Server:
    """Start gunicorn with `workers` sync workers and wait until each of them can answer /healthz."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", "sync"]
        + ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", app_spec],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = Server(name, process, f"http://127.0.0.1:{port}", workers)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.2)
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn {app_spec} exited: {process.stderr.read().decode()[-2000:]}")
        if len(server.worker_pids()) < workers:
            continue
        try:
            urllib.request.urlopen(server.base + "/healthz", timeout=10)
            return server
        except OSError:  # refused, reset or timed out while the workers boot
            continue
    server.stop()
    raise RuntimeError(f"gunicorn {app_spec} did not answer")


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of one process from /proc/<pid>/stat (0 once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()  # the command name may contain spaces; fields start at 3
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def postgres_backends(database: str) -> list[int]:
    """PIDs of the local PostgreSQL backends connected to `database` (their title names it)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        # "postgres: [cluster name:] user database host(port) state"
        parts = title.split()
        if parts and parts[0] == "postgres:" and database in parts[1:4]:
            pids.append(int(entry.name))
    return pids


class CpuMeter:
    """CPU seconds spent by a server's workers, and by the database's backends on PostgreSQL, between two reads."""

    def __init__(self, server: Server, database: str | None):
        self.server, self.database = server, database

    def read(self) -> dict[str, dict[int, float]]:
        backends = postgres_backends(self.database) if self.database else []
        return {
            "app": {pid: process_cpu_seconds(pid) for pid in self.server.worker_pids()},
            "db": {pid: process_cpu_seconds(pid) for pid in backends},
        }

    @staticmethod
    def spent(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
        """CPU seconds of each group between two reads; a process that appeared meanwhile counts from zero."""
        return {group: sum(cpu - before[group].get(pid, 0.0) for pid, cpu in after[group].items()) for group in after}
