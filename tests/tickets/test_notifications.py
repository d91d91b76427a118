"""Notifications: an in-app row and an email (an outbox row, delivered by the worker) on assignment, urge,
resolution and reopen."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from helpdesk.notifications.channels import senders
from helpdesk.notifications.models import Notification, OutboxMessage
from helpdesk.tickets.routing import describe
from helpdesk.tickets.services import perform_action
from helpdesk.worker.delivery import deliver_batch
from tests import factories as f
from tests.notifications.sinks import SmtpSink, free_port

NOW = f.TUESDAY
LATER = NOW + timedelta(hours=1)


@pytest.fixture()
def w(db):
    return f.World()


def _notes(kind=None, ticket=None):
    query = select(Notification)
    if kind:
        query = query.where(Notification.kind == kind)
    if ticket is not None:
        query = query.where(Notification.ticket_id == ticket.id)
    return f.db.session.scalars(query.order_by(Notification.id)).all()


class _Outbox(list):
    """The emails written to the outbox since the block began (what Flask-Mail's record_messages gave)."""


class record_emails:  # noqa: N801 - used like the context manager it replaces
    def __enter__(self):
        self.first = f.db.session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1)) or 0
        self.outbox = _Outbox()
        return self.outbox

    def __exit__(self, *exc):
        f.db.session.flush()
        self.outbox.extend(
            f.db.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.id > self.first, OutboxMessage.channel == "email")
                .order_by(OutboxMessage.id)
            )
        )
        return False


def _recipients(outbox):
    return sorted(message.address for message in outbox)


@pytest.fixture()
def smtp_sink(app, monkeypatch):
    sink = SmtpSink().start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", sink.port)
    monkeypatch.setitem(app.config, "MAIL_SUPPRESS_SEND", False)
    yield sink
    sink.stop()


def test_filing_notifies_the_assigned_cadre(w, app, smtp_sink):
    with record_emails() as outbox:
        ticket = f.file(w.owner, now=NOW)
    [note] = _notes("assigned", ticket)
    assert (note.user_id, note.created_at, note.read_at) == (w.liaison.id, NOW, None)
    assert ticket.number in note.message
    [message] = outbox
    assert (message.address, message.recipient_id, message.status) == (w.liaison.email, w.liaison.id, "pending")
    assert ticket.number in message.payload["subject"] and message.payload["body"].startswith(note.message)
    # Why it came to the cadre, in the cadre's language (zh_CN): no English inside.
    assert message.payload["body"].endswith("分派依据：" + describe(ticket.routing, "zh_CN"))
    assert "分派给王芳（企业的包联干部）" in message.payload["body"]
    # Nothing was sent yet: the worker sends it after the commit, to a real SMTP server.
    assert smtp_sink.messages == []
    result = deliver_batch("test", senders(app.config), clock=lambda: LATER)
    assert (result.sent, result.failed) == (1, 0)
    [email] = smtp_sink.messages
    assert email["To"] == w.liaison.email and ticket.number in email["Subject"]
    assert email.get_content().strip() == message.payload["body"].strip()
    assert email["Message-ID"] == f"<{message.idempotency_key}@localhost>"
    f.db.session.refresh(message)
    assert (message.status, message.sent_at, message.attempts) == ("sent", LATER, 1)


def test_an_english_readers_assignment_email_gives_the_routing_in_english(w):
    w.liaison.locale = "en"
    with record_emails() as outbox:
        ticket = f.file(w.owner, now=NOW)
    [message] = outbox
    assert message.payload["body"].endswith("Routing: " + describe(ticket.routing, "en"))
    assert "Chuanhui District Bureau of Natural Resources" in message.payload["body"]


def test_a_ticket_waiting_in_a_queue_notifies_nobody(w):
    w.liaison.away_until = NOW.date()
    w.colleague.active = False
    with record_emails() as outbox:
        ticket = f.file(w.owner, now=NOW)
    assert ticket.status == "submitted"
    assert (_notes(ticket=ticket), outbox) == ([], [])


@pytest.mark.parametrize(
    "action, params, who",
    [
        ("assign", lambda w: {"assignee_id": w.colleague.id}, "colleague"),
        ("transfer", lambda w: {"department_id": w.hrss.id, "note": "转人社局"}, "hrss_cadre"),
        ("escalate", lambda w: {}, "city_cadre"),
    ],
)
def test_reassignment_notifies_the_new_assignee(w, action, params, who):
    ticket = w.ticket("in_progress", now=NOW)
    with record_emails() as outbox:
        perform_action(w.supervisor, ticket, action, now=LATER, **params(w))
    new = getattr(w, who)
    assert [(n.user_id, n.created_at) for n in _notes("assigned", ticket)] == [(w.liaison.id, NOW), (new.id, LATER)]
    assert _recipients(outbox) == [new.email]


def test_urge_notifies_the_assignee_each_time(w):
    ticket = w.ticket("in_progress", now=NOW)
    with record_emails() as outbox:
        perform_action(w.supervisor, ticket, "urge", now=LATER)
        perform_action(w.city_supervisor, ticket, "urge", now=LATER + timedelta(hours=1))
    notes = _notes("urged", ticket)
    assert [n.user_id for n in notes] == [w.liaison.id, w.liaison.id]
    assert _recipients(outbox) == [w.liaison.email, w.liaison.email]
    assert all(ticket.number in m.payload["subject"] for m in outbox)


def test_urging_a_ticket_without_assignee_notifies_nobody_but_still_counts(w):
    ticket = w.ticket("submitted", now=NOW)
    with record_emails() as outbox:
        perform_action(w.supervisor, ticket, "urge", now=LATER)
    assert (ticket.urge_count, _notes("urged"), outbox) == (1, [], [])


def test_resolution_notifies_every_user_of_the_enterprise(w):
    colleague_at_company = f.fast_enterprise_user(w.company, locale="en")
    f.fast_enterprise_user(w.company, active=False)
    ticket = w.ticket("in_progress", now=NOW)
    with record_emails() as outbox:
        perform_action(w.liaison, ticket, "resolve", note="指标已下达", now=LATER)
    notes = _notes("resolved", ticket)
    assert sorted(n.user_id for n in notes) == sorted([w.owner.id, colleague_at_company.id])
    assert _recipients(outbox) == sorted([w.owner.email, colleague_at_company.email])
    assert w.stranger.email not in _recipients(outbox)
    # In the recipient's language.
    english = next(n for n in notes if n.user_id == colleague_at_company.id)
    assert english.message.startswith(f"Ticket {ticket.number}") and "resolved" in english.message


def test_reopen_notifies_the_assignee_with_the_reason(w):
    ticket = w.ticket("resolved", now=NOW)
    with record_emails() as outbox:
        perform_action(w.owner, ticket, "reopen", note="电力增容仍未到位", now=LATER)
    [note] = _notes("reopened", ticket)
    assert note.user_id == w.liaison.id
    assert "电力增容仍未到位" in note.message
    assert _recipients(outbox) == [w.liaison.email]


def test_request_info_notifies_the_enterprise(w):
    ticket = w.ticket("in_progress", now=NOW)
    with record_emails() as outbox:
        perform_action(w.liaison, ticket, "request_info", note="请补充用地红线图", now=LATER)
    [note] = _notes("info_requested", ticket)
    assert note.user_id == w.owner.id and "请补充用地红线图" in note.message
    assert _recipients(outbox) == [w.owner.email]


@pytest.mark.parametrize(
    "action, status, who, params",
    [
        ("accept", "assigned", "liaison", {}),
        ("confirm", "resolved", "owner", {"rating": "satisfied"}),
        ("extend", "assigned", "supervisor", {"days": 2, "note": "延期"}),
        ("add_cohandler", "assigned", "supervisor", {"department_id": None}),
        ("withdraw", "assigned", "owner", {"note": "不需要了"}),
    ],
)
def test_quiet_actions_notify_nobody(w, action, status, who, params):
    ticket = w.ticket(status, now=NOW)
    if "department_id" in params:
        params = {"department_id": w.finance.id}
    before = len(_notes())
    with record_emails() as outbox:
        perform_action(getattr(w, who), ticket, action, now=LATER, **params)
    assert (len(_notes()), outbox) == (before, [])


def test_no_email_when_email_is_switched_off(w, app, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_BY_EMAIL", False)
    with record_emails() as outbox:
        ticket = f.file(w.owner, now=NOW)
    assert len(_notes("assigned", ticket)) == 1
    assert outbox == []


def test_a_mail_server_that_is_down_does_not_undo_the_action(w, app, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    monkeypatch.setitem(app.config, "MAIL_SUPPRESS_SEND", False)
    ticket = w.ticket("in_progress", now=NOW)
    with record_emails() as outbox:
        perform_action(w.supervisor, ticket, "urge", now=LATER)
    assert ticket.urge_count == 1
    assert [n.user_id for n in _notes("urged", ticket)] == [w.liaison.id]
    result = deliver_batch("test", senders(app.config), clock=lambda: LATER)
    # The first email found the server down; the second was not even tried in the same round.
    assert (result.sent, result.retried, result.deferred) == (0, 1, 1)
    [message] = outbox
    f.db.session.refresh(message)
    assert (message.status, message.attempts) == ("pending", 0)
    assert message.last_error.startswith("Not tried: cannot reach the mail server") and message.next_attempt_at > LATER
    assert "will be retried" in caplog.text
