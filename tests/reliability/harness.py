"""A real deployment on loopback for the reliability tests: a fresh PostgreSQL database, the
migrations, reference data, a few companies and cadres, and gunicorn with several workers.

Every request loop here is bounded in count and time and talks only to 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "reliability-pass"


def postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def scratch_database(base_url: str):
    """A new empty database next to the test database, dropped afterwards."""
    url = make_url(base_url)
    name = f"helpdesk_rel_{os.getpid()}_{secrets.token_hex(3)}"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        for _ in range(20):
            try:
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                break
            except psycopg.OperationalError:
                time.sleep(1)  # the server may still be restarting after the fault test


@dataclass
class Cast:
    """Who is in the deployment: enterprise users (one per company), their cadres, a supervisor."""

    enterprises: list[tuple[str, int]] = field(default_factory=list)  # (email, enterprise id)
    cadres: dict[int, str] = field(default_factory=dict)  # user id → email
    supervisor: str = ""
    departments: list[int] = field(default_factory=list)


def prepare(url: str, companies: int = 20) -> Cast:
    """Migrate, seed and create the cast in the scratch database (in this process, then disposed)."""
    from flask_migrate import upgrade

    from helpdesk import create_app
    from helpdesk.auth.services import create_user
    from helpdesk.enterprises.models import Enterprise
    from helpdesk.extensions import db
    from helpdesk.jurisdictions.models import Department, Jurisdiction
    from helpdesk.seeding.reference import load_reference_data
    from tests.factories import credit_code

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True})
    cast = Cast()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        load_reference_data()
        county = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == "411602"))
        departments = list(
            db.session.scalars(
                select(Department)
                .where(Department.jurisdiction_id == county.id, Department.code.in_(["nr", "hrss"]))
                .order_by(Department.code)
            )
        )
        cast.departments = [d.id for d in departments]
        liaisons: list[int] = []
        for d_index, department in enumerate(departments):
            for n in range(3):
                cadre = create_user(
                    email=f"cadre{d_index}{n}@rel.cn",
                    name=f"干部{d_index}{n}",
                    password=PASSWORD,
                    role="cadre",
                    department_id=department.id,
                )
                cast.cadres[cadre.id] = cadre.email
                if department.code == "nr":
                    liaisons.append(cadre.id)
        # The companies are paired with cadres of 自然资源局, where land issues go, so a land ticket's
        # handler there is always its liaison (who keeps seeing it after a transfer).
        for n in range(companies):
            company = Enterprise(
                name=f"可靠性测试企业{n}",
                credit_code=credit_code("411602"),
                jurisdiction_id=county.id,
                liaison_id=liaisons[n % len(liaisons)],
            )
            db.session.add(company)
            db.session.flush()
            user = create_user(
                email=f"company{n}@rel.cn",
                name=f"企业用户{n}",
                password=PASSWORD,
                role="enterprise",
                enterprise_id=company.id,
            )
            cast.enterprises.append((user.email, company.id))
        supervisor = create_user(
            email="supervisor@rel.cn", name="督查员", password=PASSWORD, role="supervisor", jurisdiction_id=county.id
        )
        cast.supervisor = supervisor.email
        db.session.commit()
        db.engine.dispose()
    return cast


class Server:
    """gunicorn serving wsgi:app on a free loopback port."""

    def __init__(self, url: str, workers: int = 4, extra_env: dict | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "HELPDESK_ENV": "development",
            "SECRET_KEY": secrets.token_hex(32),
            "MAIL_SUPPRESS_SEND": "true",
            "PYTHONPATH": str(ROOT),
            **(extra_env or {}),
        }
        env.pop("TEST_DATABASE_URL", None)
        env.update(extra_env or {})
        # The server's log is kept for a look after a failed run (CI prints its tracebacks).
        log_dir = ROOT / "instance" / "reliability"
        log_dir.mkdir(parents=True, exist_ok=True)
        log_path = os.environ.get("RELIABILITY_LOG") or str(log_dir / f"gunicorn-{self.port}.log")
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(workers),
                "--threads",
                "1",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if call("GET", f"{self.base}/healthz", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def call(method: str, url: str, body: dict | None = None, token: str | None = None, timeout: float = 30):
    """One HTTP request → (status, parsed JSON or None, seconds)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        payload, status = exc.read(), exc.code
    elapsed = time.perf_counter() - started
    try:
        parsed = json.loads(payload) if payload else None
    except ValueError:
        parsed = None
    return status, parsed, elapsed


def token(base: str, email: str) -> str:
    status, body, _ = call("POST", f"{base}/api/v1/auth/token", {"email": email, "password": PASSWORD})
    assert status == 201, (status, body)
    return body["token"]


class Stats:
    """Thread-safe request counts and latencies."""

    def __init__(self):
        self.lock = threading.Lock()
        self.codes: Counter = Counter()
        self.latencies: list[float] = []

    def add(self, status: int, seconds: float) -> None:
        with self.lock:
            self.codes[status] += 1
            self.latencies.append(seconds)

    def percentile(self, p: float) -> float:
        data = sorted(self.latencies)
        return data[min(len(data) - 1, int(p * len(data)))] if data else 0.0

    def summary(self) -> dict:
        return {
            "requests": sum(self.codes.values()),
            "by_code": dict(sorted(self.codes.items())),
            "p50_ms": round(self.percentile(0.50) * 1000, 1),
            "p95_ms": round(self.percentile(0.95) * 1000, 1),
        }


def check_integrity(url: str, acknowledged: dict[int, str]) -> dict:
    """Every 201-acknowledged ticket exists exactly once, its events replay to its status, and
    numbers are unique and gapless per prefix and year. Returns the figures for the report."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = {
                r.id: r
                for r in conn.execute(
                    text("SELECT id, number, status, number_prefix, number_year, number_seq FROM tickets")
                )
            }
            lost = [tid for tid in acknowledged if tid not in rows]
            wrong_number = [tid for tid, number in acknowledged.items() if tid in rows and rows[tid].number != number]
            numbers = [r.number for r in rows.values()]
            duplicates = len(numbers) - len(set(numbers))
            gaps = []
            by_series: dict[tuple, list[int]] = {}
            for r in rows.values():
                by_series.setdefault((r.number_prefix, r.number_year), []).append(r.number_seq)
            for series, seqs in by_series.items():
                if sorted(seqs) != list(range(1, len(seqs) + 1)):
                    gaps.append(series)
            events: dict[int, list] = {}
            for e in conn.execute(text("SELECT ticket_id, from_status, to_status FROM ticket_events ORDER BY id")):
                events.setdefault(e.ticket_id, []).append(e)
            bad_replay = []
            for tid, r in rows.items():
                chain = events.get(tid, [])
                state = None
                ok = bool(chain)
                for e in chain:
                    if e.from_status != state:
                        ok = False
                    state = e.to_status
                if not ok or state != r.status:
                    bad_replay.append(tid)
    finally:
        engine.dispose()
    return {
        "tickets": len(rows),
        "acknowledged": len(acknowledged),
        "lost": len(lost),
        "wrong_number": len(wrong_number),
        "duplicate_numbers": duplicates,
        "series_with_gaps": len(gaps),
        "bad_replay": len(bad_replay),
    }


def write_figures(name: str, figures: dict) -> None:
    """Keep the figures of the last run for docs/RELIABILITY.md (printed, and saved under instance/)."""
    print(f"\n[reliability] {name}: {json.dumps(figures, ensure_ascii=False)}")
    out = ROOT / "instance" / "reliability"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(figures, ensure_ascii=False, indent=2))
