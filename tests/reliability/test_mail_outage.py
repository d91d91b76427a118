"""A mail server that accepts connections and never answers: filing a ticket on gunicorn answers 201 as fast
as with email switched off, /healthz stays instant, and once the server answers again the worker (`flask
worker`, a real process) delivers every email exactly once. The figures go to docs/RELIABILITY.md."""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, text

from tests.notifications.sinks import HangingServer, SmtpSink
from tests.reliability.harness import ROOT, Server, call, postgres_url, prepare, scratch_database, token, write_figures

FILINGS = 40


class WorkerProcess:
    """`flask worker` against the scratch database, logging beside gunicorn's."""

    def __init__(self, url: str, extra_env: dict):
        env = {**os.environ, "DATABASE_URL": url, "HELPDESK_ENV": "development", "PYTHONPATH": str(ROOT), **extra_env}
        env.pop("TEST_DATABASE_URL", None)
        log_dir = ROOT / "instance" / "reliability"
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log = open(log_dir / "worker.log", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            # deliveries only: the periodic jobs would add mail of their own (the monthly bulletin is due
            # on most days of a month) to the 40 filings' emails this test counts
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--no-jobs"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=self.log,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.log.close()


def _file_alternately(servers: list, cast, n: int) -> list[list[float]]:
    """n filings on each server, taking turns (A, B, A, B…), so that both see the same machine load."""
    tokens = [[token(server.base, email) for email, _ in cast.enterprises] for server in servers]
    latencies: list[list[float]] = [[] for _ in servers]
    for i in range(n):
        for s, server in enumerate(servers):
            body = {"category": "land", "title": f"邮件故障测试 {s}-{i}", "description": "扩建项目需要新增用地指标。"}
            status, answer, took = call(
                "POST", f"{server.base}/api/v1/tickets", body, tokens[s][i % len(tokens[s])], timeout=30
            )
            assert status == 201, (status, answer)
            latencies[s].append(took)
    return latencies


def _ms(values: list[float]) -> dict:
    ordered = sorted(values)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def _outbox(url: str) -> dict:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT status, count(*) FROM outbox WHERE channel = 'email' GROUP BY status"))
            return dict(rows.all())
    finally:
        engine.dispose()


def _keys(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return set(conn.scalars(text("SELECT idempotency_key FROM outbox WHERE channel = 'email'")))
    finally:
        engine.dispose()


def test_filing_is_as_fast_with_a_hanging_mail_server_and_every_email_arrives_once_it_answers():
    base = postgres_url()
    if base is None:
        pytest.skip("reliability runs need PostgreSQL (set TEST_DATABASE_URL)")
    with scratch_database(base) as url:
        cast = prepare(url, companies=4)
        hanging = HangingServer().start()
        mail = {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(hanging.port),
            "MAIL_SUPPRESS_SEND": "false",
            "OUTBOX_RETRY_BASE_SECONDS": "1",  # retry quickly, so that the test sees the recovery soon
            "OUTBOX_RETRY_MAX_SECONDS": "3",
            "WORKER_POLL_SECONDS": "0.5",
        }
        # Two deployments on the same database, the same moment: one with email switched off, one whose mail
        # server hangs (and a real worker stuck on it).
        mail_off = Server(url, workers=2, extra_env={"NOTIFY_BY_EMAIL": "false"})
        server, worker, sink = Server(url, workers=2, extra_env=mail), WorkerProcess(url, mail), None
        try:
            off, hung = _file_alternately([mail_off, server], cast, FILINGS)
            health = [call("GET", f"{server.base}/healthz", timeout=30)[2] for _ in range(10)]
            during = _outbox(url)
            assert during.get("sent", 0) == 0 and sum(during.values()) == FILINGS  # one email per filing, none out
            hanging.stop()
            sink = SmtpSink(port=hanging.port).start()  # the mail server answers again, on the same port
            back_at = time.monotonic()
            deadline = back_at + 90
            while time.monotonic() < deadline and _outbox(url) != {"sent": FILINGS}:
                time.sleep(0.5)
            recovered_in = time.monotonic() - back_at
            after = _outbox(url)
            counts = sink.count_by_message_id()
        finally:
            worker.stop()
            server.stop()
            mail_off.stop()
            if sink is not None:
                sink.stop()
            else:
                hanging.stop()
        figures = {
            "filings": FILINGS,
            "mail_off": _ms(off),
            "mail_server_hanging": _ms(hung),
            "healthz_while_hanging": _ms(health),
            "outbox_while_hanging": during,
            "outbox_after": after,
            "delivered_within_s": round(recovered_in, 1),
            "emails_at_server": sum(counts.values()),
            "distinct_emails": len(counts),
        }
        write_figures("mail_outage", figures)
        assert after == {"sent": FILINGS}
        assert set(counts.values()) == {1} and {m.strip("<>").partition("@")[0] for m in counts} == _keys(url)
        # As fast as with mail off (the same load, taking turns), and nowhere near the 10 s of a mail timeout
        # even on a busy 2-core machine.
        assert statistics.median(hung) < 1.5 * statistics.median(off) + 0.05
        assert max(hung) < 8 and max(health) < 2
