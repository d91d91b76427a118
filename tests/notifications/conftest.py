"""Fixtures of the delivery tests: the servers of sinks.py, the app pointed at them, and a worker round."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.notifications.channels import senders
from helpdesk.notifications.models import OutboxMessage
from helpdesk.worker.delivery import deliver_batch
from tests import factories as f
from tests.notifications.sinks import SMS_KEY, SMS_SECRET, HangingServer, SmtpSink, WebhookSink, free_port


@pytest.fixture()
def w(db):
    return f.World()


@pytest.fixture()
def smtp_sink():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture()
def hanging_smtp():
    server = HangingServer().start()
    yield server
    server.stop()


@pytest.fixture()
def webhooks():
    sink = WebhookSink().start()
    yield sink
    sink.stop()


@pytest.fixture()
def mail_to(app, monkeypatch):
    """mail_to(port): send real email to 127.0.0.1:port, with a short timeout so that a hang costs little."""

    def point(port: int, timeout: float = 0.5) -> None:
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        monkeypatch.setitem(app.config, "MAIL_SUPPRESS_SEND", False)
        monkeypatch.setitem(app.config, "SMTP_TIMEOUT", timeout)

    return point


@pytest.fixture()
def sms_gateway(app, monkeypatch, webhooks):
    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", webhooks.url("sms"))
    monkeypatch.setitem(app.config, "SMS_GATEWAY_KEY", SMS_KEY)
    monkeypatch.setitem(app.config, "SMS_GATEWAY_SECRET", SMS_SECRET)
    monkeypatch.setitem(app.config, "SMS_TEMPLATE_ID", "SMS_000001")
    return webhooks


@pytest.fixture()
def deliver(app):
    """deliver(now=None) → one worker round over every due row (real channels from the app's config)."""

    def run(now=None, worker="test-worker", limit=100):
        clock = (lambda: now) if now is not None else None
        kwargs = {"clock": clock} if clock else {}
        return deliver_batch(worker, senders(app.config), limit=limit, **kwargs)

    return run


def outbox_rows(**where):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    for key, value in where.items():
        query = query.where(getattr(OutboxMessage, key) == value)
    f.db.session.expire_all()
    return list(f.db.session.scalars(query))


__all__ = ["free_port", "outbox_rows"]
