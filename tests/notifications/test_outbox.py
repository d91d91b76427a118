"""The outbox: notices are rows written with the action, and leave only through the worker after the commit;
retries with backoff, give-ups, a hanging mail server, a worker that dies between sending and marking."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from helpdesk.notifications.channels import senders
from helpdesk.notifications.models import Notification, OutboxMessage
from helpdesk.notifications.outbox import backoff
from helpdesk.tickets.services import perform_action
from helpdesk.worker.delivery import deliver_batch
from tests import factories as f
from tests.notifications.conftest import outbox_rows
from tests.notifications.sinks import free_port

NOW = f.TUESDAY
LATER = NOW + timedelta(hours=1)


def test_an_action_writes_its_notice_and_one_row_per_person_and_channel(w, app, sms_gateway):
    w.owner.mobile = "13800138000"  # an enterprise user with a mobile gets SMS by default
    w.liaison.mobile = "13900139000"  # a cadre does not, unless they choose it
    ticket = w.ticket("in_progress", now=NOW)
    perform_action(w.liaison, ticket, "resolve", note="指标已下达", now=LATER)
    rows = outbox_rows(created_at=LATER)
    assert sorted((r.channel, r.address, r.recipient_id) for r in rows) == sorted(
        [("email", w.owner.email, w.owner.id), ("sms", "13800138000", w.owner.id)]
    )
    assert all(r.status == "pending" and r.attempts == 0 and r.next_attempt_at == LATER for r in rows)
    assert len({r.idempotency_key for r in rows}) == 2
    [note] = f.db.session.scalars(select(Notification).where(Notification.kind == "resolved")).all()
    assert all(r.payload["body"] == note.message and r.payload["ticket_id"] == ticket.id for r in rows)


def test_no_sms_row_without_a_gateway_and_none_for_a_person_who_switched_email_off(w):
    w.owner.mobile = "13800138000"
    w.owner.email_notices = False
    ticket = w.ticket("in_progress", now=NOW)
    perform_action(w.liaison, ticket, "resolve", note="指标已下达", now=LATER)
    assert outbox_rows(created_at=LATER) == []
    assert f.db.session.scalar(select(Notification.id).where(Notification.kind == "resolved")) is not None


def test_an_action_that_is_rolled_back_sends_nothing(w, app, smtp_sink, mail_to, deliver):
    mail_to(smtp_sink.port)
    ticket = w.ticket("in_progress", now=NOW)
    deliver(NOW)
    before = len(smtp_sink.messages)
    with f.db.session.begin_nested() as action:
        perform_action(w.supervisor, ticket, "urge", now=LATER)
        assert len(outbox_rows(status="pending")) == 1
        action.rollback()
    assert outbox_rows(status="pending") == []
    assert deliver(LATER).claimed == 0
    assert len(smtp_sink.messages) == before


def test_a_request_whose_commit_fails_sends_nothing(w, app, client, smtp_sink, mail_to, deliver):
    from helpdesk.auth.services import issue_token

    mail_to(smtp_sink.port)
    ticket = w.ticket("in_progress", now=NOW)
    deliver(NOW + timedelta(days=400))
    sent_before = len(smtp_sink.messages)
    headers = {"Authorization": f"Bearer {issue_token(w.supervisor)[0]}"}

    def refuse(session):
        if session.new or session.dirty:
            raise RuntimeError("the database refused the commit")

    session_class = type(f.db.session())
    event.listen(session_class, "before_commit", refuse)
    try:
        response = client.post(f"/api/v1/tickets/{ticket.id}/actions", json={"action": "urge"}, headers=headers)
    finally:
        event.remove(session_class, "before_commit", refuse)
    assert response.status_code == 500
    f.db.session.expire_all()
    assert outbox_rows(status="pending") == []
    assert deliver(NOW + timedelta(days=400)).claimed == 0
    assert len(smtp_sink.messages) == sent_before


def test_failures_are_retried_with_growing_pauses_then_given_up(w, app, mail_to, monkeypatch, deliver):
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 3)
    mail_to(free_port())  # connection refused
    f.file(w.owner, now=NOW)
    [row] = outbox_rows()
    now, pauses = NOW, []
    for attempt in (1, 2):
        result = deliver(now)
        assert (result.claimed, result.retried) == (1, 1)
        f.db.session.refresh(row)
        assert (row.status, row.attempts) == ("pending", attempt)
        pauses.append((row.next_attempt_at - now).total_seconds())
        assert deliver(row.next_attempt_at - timedelta(seconds=1)).claimed == 0  # not due before its time
        now = row.next_attempt_at
    assert 22.5 <= pauses[0] <= 37.5 and 45 <= pauses[1] <= 75  # 30 s then 60 s, ±25 %
    result = deliver(now)
    assert result.failed == 1
    f.db.session.refresh(row)
    assert (row.status, row.attempts, row.sent_at) == ("failed", 3, None)
    assert "cannot reach the mail server" in row.last_error
    assert deliver(now + timedelta(days=1)).claimed == 0  # failed rows wait for an admin


def test_backoff_is_capped(app):
    for attempts in (1, 5, 20):
        assert backoff(attempts) <= 3600 * 1.25
    assert backoff(20) >= 3600 * 0.75


def test_a_hanging_mail_server_costs_the_worker_one_timeout_and_the_mail_arrives_when_it_answers(
    w, app, hanging_smtp, smtp_sink, mail_to, deliver
):
    import time

    mail_to(hanging_smtp.port, timeout=0.5)
    ticket = f.file(w.owner, now=NOW)
    started = time.monotonic()
    result = deliver(NOW)
    assert time.monotonic() - started < 3
    assert result.retried == 1
    [row] = outbox_rows()
    assert row.status == "pending" and "did not answer within 0.5 s" in row.last_error
    # The server is back (here: the working one); the retry delivers it.
    mail_to(smtp_sink.port)
    assert deliver(row.next_attempt_at).sent == 1
    [email] = smtp_sink.messages
    assert ticket.number in email["Subject"] and email["To"] == w.liaison.email
    f.db.session.refresh(row)
    assert (row.status, row.attempts) == ("sent", 2)


def test_a_hanging_server_costs_one_timeout_per_round_not_one_per_message(w, app, hanging_smtp, mail_to, deliver):
    import time

    mail_to(hanging_smtp.port, timeout=0.5)
    for _ in range(5):
        f.file(w.owner, now=NOW)
    started = time.monotonic()
    result = deliver(NOW)
    assert time.monotonic() - started < 2
    assert (result.claimed, result.retried, result.deferred) == (5, 1, 4)
    rows = outbox_rows()
    assert all(r.status == "pending" and r.next_attempt_at > NOW for r in rows)
    assert sorted(r.attempts for r in rows) == [0, 0, 0, 0, 1]  # the untried ones keep all their attempts


def test_filing_through_the_api_is_as_fast_with_a_hanging_mail_server_as_with_mail_off(
    w, app, client, hanging_smtp, mail_to, monkeypatch
):
    import statistics
    import time

    from helpdesk.auth.services import issue_token

    headers = {"Authorization": f"Bearer {issue_token(w.owner)[0]}"}
    body = {
        "category": "land",
        "title": "用地指标迟迟未落实",
        "description": "项目二期用地指标已承诺三个月，至今没有落实，影响开工。",
    }
    mail_to(hanging_smtp.port, timeout=10)  # the real default: a send would block for 10 s
    timings: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(8):
        for email in (False, True):  # taking turns, so both see the same machine
            monkeypatch.setitem(app.config, "NOTIFY_BY_EMAIL", email)
            started = time.perf_counter()
            assert client.post("/api/v1/tickets", json=body, headers=headers).status_code == 201
            timings[email].append(time.perf_counter() - started)
    assert statistics.median(timings[True]) < 1.5 * statistics.median(timings[False]) + 0.05
    assert max(timings[True]) < 5
    assert len(outbox_rows(status="pending")) == 8  # the emails wait for the worker


def test_the_default_timeouts_are_ten_seconds_for_smtp_and_five_for_http(app):
    from helpdesk.config import Config

    channels = senders({"SMTP_TIMEOUT": Config.SMTP_TIMEOUT, "HTTP_TIMEOUT": Config.HTTP_TIMEOUT})
    assert {c.value: s.timeout for c, s in channels.items()} == {"email": 10, "sms": 5, "wecom": 5, "dingtalk": 5}


class Crash(BaseException):
    """The worker process dying (SIGKILL, power cut) right after the server took the message."""


def test_a_crash_between_sending_and_marking_loses_nothing(w, app, smtp_sink, mail_to, deliver):
    mail_to(smtp_sink.port)
    f.file(w.owner, now=NOW)
    channels = senders(app.config)
    real = channels["email"]

    class DiesAfterSending:
        timeout = real.timeout

        def send(self, delivery):
            real.send(delivery)
            raise Crash()

    with pytest.raises(Crash):
        deliver_batch("doomed", {**channels, "email": DiesAfterSending()}, clock=lambda: NOW)
    f.db.session.rollback()  # the dead worker's session is gone; its claim was committed
    [row] = outbox_rows()
    assert (row.status, row.attempts, len(smtp_sink.messages)) == ("sending", 1, 1)
    assert deliver(NOW + timedelta(seconds=60)).claimed == 0  # its lease still holds
    result = deliver(row.lease_until + timedelta(seconds=1))
    assert result.sent == 1
    f.db.session.refresh(row)
    assert (row.status, row.attempts) == ("sent", 2)
    # Sent twice (at least once is the promise), both with the same Message-ID for the server to fold.
    assert list(smtp_sink.count_by_message_id().values()) == [2]


def test_a_worker_hands_back_what_it_cannot_send_before_its_lease_ends(w, app, smtp_sink, mail_to, monkeypatch):
    mail_to(smtp_sink.port)
    monkeypatch.setitem(app.config, "OUTBOX_LEASE_SECONDS", 120)
    for _ in range(3):
        f.file(w.owner, now=NOW)
    times = iter([NOW, NOW, NOW + timedelta(seconds=30), NOW + timedelta(seconds=100)])
    clock = lambda: next(times, NOW + timedelta(seconds=100))  # noqa: E731 - a clock that jumps
    result = deliver_batch("slow", senders(app.config), clock=clock)
    assert (result.claimed, result.sent, result.released) == (3, 1, 2)
    rows = outbox_rows()
    assert sorted((r.status, r.attempts) for r in rows) == [("pending", 0), ("pending", 0), ("sent", 1)]


def test_a_sweep_digest_arrives_as_one_email_listing_every_ticket(w, app, smtp_sink, mail_to, deliver):
    from tests.tickets.test_sweep import YELLOW

    mail_to(smtp_sink.port)
    one, two = w.ticket("in_progress"), w.ticket("in_progress")
    deliver(NOW)
    smtp_sink.messages.clear()
    from helpdesk.tickets.sweep import sweep

    sweep(YELLOW)
    assert deliver(YELLOW).sent == 2
    to = {m["To"]: m for m in smtp_sink.messages}
    assert set(to) == {w.liaison.email, w.supervisor.email}
    for message in to.values():
        assert one.number in message.get_content() and two.number in message.get_content()


def test_suppressed_mail_is_marked_with_a_note_in_development(w, app, deliver):
    assert app.config["MAIL_SUPPRESS_SEND"] is True  # the testing default, like development
    f.file(w.owner, now=NOW)
    assert deliver(NOW).sent == 1
    [row] = outbox_rows()
    assert (row.status, row.last_error) == ("sent", "Not sent: MAIL_SUPPRESS_SEND is on.")


def test_a_refused_address_fails_at_once_and_a_broken_row_does_not_stop_the_others(w, app, smtp_sink, mail_to, deliver):
    mail_to(smtp_sink.port)
    for _ in range(3):
        f.file(w.owner, now=NOW)
    refused, broken, good = outbox_rows()
    refused.address = "nobody@example.cn"  # the server answers 550: no retry can help
    broken.address = "line\nbreak@example.cn"  # cannot even be put into a header
    f.db.session.flush()
    result = deliver(NOW)
    assert (result.sent, result.failed, result.retried) == (1, 1, 1)
    assert [m["To"] for m in smtp_sink.messages] == [good.address]
    for row in (refused, broken, good):
        f.db.session.refresh(row)
    assert (refused.status, refused.attempts) == ("failed", 1) and "550" in refused.last_error
    assert broken.status == "pending" and "ValueError" in broken.last_error


def test_rows_are_claimed_in_the_order_they_fell_due(w, app, deliver, monkeypatch):
    for _ in range(3):
        f.file(w.owner, now=NOW)
    rows = outbox_rows()
    rows[0].next_attempt_at = NOW + timedelta(minutes=5)
    f.db.session.flush()
    assert deliver(NOW, limit=1).claimed == 1
    assert [r.status for r in outbox_rows()] == ["pending", "sent", "pending"]
    assert isinstance(rows[0], OutboxMessage)
