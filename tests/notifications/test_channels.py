"""The channels against local stand-ins: WeCom and DingTalk group robots (JSON format, DingTalk's signature),
the SMS gateway of the README's contract, and who hears what (PRODUCT.md §10)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse
from datetime import timedelta

import pytest

from helpdesk.notifications.channels import Delivery, DeliveryError
from helpdesk.notifications.channels.dingtalk import DingTalkRobot, sign, signed_url
from helpdesk.notifications.channels.sms import SmsGateway
from helpdesk.notifications.channels.wecom import WeComRobot
from helpdesk.notifications.models import Robot
from helpdesk.tickets.services import perform_action
from tests import factories as f
from tests.notifications.conftest import outbox_rows
from tests.notifications.sinks import DINGTALK_SECRET, SMS_KEY, SMS_SECRET, free_port

NOW = f.TUESDAY
LATER = NOW + timedelta(hours=1)


def _delivery(channel="wecom", robot=None, body="诉求 ZK-2025-000001 已交办给王芳。", subject="新诉求", key="k1"):
    return Delivery(1, channel, "13800138000", {"subject": subject, "body": body}, key, 1, "w", robot or {})


def test_dingtalk_signature_matches_the_documented_recipe():
    timestamp = 1700000000000
    expected = base64.b64encode(
        hmac.new(DINGTALK_SECRET.encode(), f"{timestamp}\n{DINGTALK_SECRET}".encode(), hashlib.sha256).digest()
    )
    assert urllib.parse.unquote_plus(sign(DINGTALK_SECRET, timestamp)) == expected.decode()
    url = signed_url("https://oapi.dingtalk.com/robot/send?access_token=T", DINGTALK_SECRET, timestamp)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert query == {"access_token": "T", "timestamp": str(timestamp), "sign": expected.decode()}
    assert signed_url("https://x/robot/send?access_token=T", None) == "https://x/robot/send?access_token=T"


def test_wecom_robot_posts_a_text_message(webhooks):
    WeComRobot(timeout=2).send(_delivery(robot={"webhook_url": webhooks.url("wecom")}))
    [request] = webhooks.of("wecom")
    assert request["query"] == {"key": "robot-key"}
    assert request["body"] == {"msgtype": "text", "text": {"content": "新诉求\n诉求 ZK-2025-000001 已交办给王芳。"}}


def test_wecom_messages_are_cut_to_the_robots_limit(webhooks):
    WeComRobot(timeout=2).send(_delivery(robot={"webhook_url": webhooks.url("wecom")}, body="长" * 2000))
    [request] = webhooks.of("wecom")
    assert len(request["body"]["text"]["content"].encode()) <= 2048


def test_wecom_refusals_are_errors_and_a_bad_key_is_permanent(webhooks):
    with pytest.raises(DeliveryError) as refused:
        WeComRobot(timeout=2).send(_delivery(robot={"webhook_url": f"{webhooks.base}/cgi-bin/webhook/send"}))
    assert refused.value.permanent and "93000" in str(refused.value)
    webhooks.mode = "errcode"
    with pytest.raises(DeliveryError) as limited:
        WeComRobot(timeout=2).send(_delivery(robot={"webhook_url": webhooks.url("wecom")}))
    assert not limited.value.permanent and "45009" in str(limited.value)


def test_dingtalk_robot_signs_and_posts_a_text_message(webhooks):
    robot = {"webhook_url": webhooks.url("dingtalk"), "secret": DINGTALK_SECRET}
    DingTalkRobot(timeout=2).send(_delivery("dingtalk", robot))
    [request] = webhooks.of("dingtalk")
    assert request["body"]["msgtype"] == "text" and "ZK-2025-000001" in request["body"]["text"]["content"]
    assert set(request["query"]) == {"access_token", "timestamp", "sign"}


def test_dingtalk_refuses_a_wrong_secret_for_good(webhooks):
    robot = {"webhook_url": webhooks.url("dingtalk"), "secret": "SECwrong"}
    with pytest.raises(DeliveryError) as refused:
        DingTalkRobot(timeout=2).send(_delivery("dingtalk", robot))
    assert refused.value.permanent and "310000" in str(refused.value)
    assert webhooks.of("dingtalk") == []


def test_sms_gateway_gets_the_documented_request(webhooks):
    gateway = SmsGateway(webhooks.url("sms"), SMS_KEY, SMS_SECRET, "SMS_000001", timeout=2)
    gateway.send(_delivery("sms", key="abc123"))
    [request] = webhooks.of("sms")
    assert request["body"] == {
        "client_msg_id": "abc123",
        "mobile": "13800138000",
        "template_id": "SMS_000001",
        "params": {"content": "诉求 ZK-2025-000001 已交办给王芳。"},
        "text": "诉求 ZK-2025-000001 已交办给王芳。",
    }


def test_sms_gateway_refusals(webhooks):
    with pytest.raises(DeliveryError) as bad_key:
        SmsGateway(webhooks.url("sms"), "wrong", SMS_SECRET, "T", timeout=2).send(_delivery("sms"))
    assert bad_key.value.permanent and "401" in str(bad_key.value)
    webhooks.mode = "http500"
    with pytest.raises(DeliveryError) as down:
        SmsGateway(webhooks.url("sms"), SMS_KEY, SMS_SECRET, "T", timeout=2).send(_delivery("sms"))
    assert not down.value.permanent and "500" in str(down.value)


def test_http_channels_give_up_after_their_timeout(webhooks):
    import time

    webhooks.mode, webhooks.delay = "slow", 1.5
    started = time.monotonic()
    with pytest.raises(DeliveryError) as slow:
        WeComRobot(timeout=0.3).send(_delivery(robot={"webhook_url": webhooks.url("wecom")}))
    assert time.monotonic() - started < 1.4
    assert "no answer within 0.3 s" in str(slow.value) and not slow.value.permanent


def test_a_closed_port_is_a_retryable_error():
    with pytest.raises(DeliveryError) as refused:
        WeComRobot(timeout=1).send(_delivery(robot={"webhook_url": f"http://127.0.0.1:{free_port()}/x?key=k"}))
    assert "cannot connect" in str(refused.value) and not refused.value.permanent


# -- who hears what ----------------------------------------------------------------------------------


@pytest.fixture()
def groups(w, webhooks):
    """A WeCom robot of 川汇区自然资源局 (nr), a DingTalk robot of the county's supervisors (川汇区)."""
    department = Robot(kind="wecom", name="自然资源局群", webhook_url=webhooks.url("wecom"), department_id=w.nr.id)
    county = Robot(
        kind="dingtalk",
        name="川汇区督查群",
        webhook_url=webhooks.url("dingtalk"),
        secret=DINGTALK_SECRET,
        jurisdiction_id=f.jurisdiction("411602").id,
    )
    city = Robot(
        kind="wecom",
        name="周口市督查群",
        webhook_url=webhooks.url("wecom"),
        jurisdiction_id=f.jurisdiction("411600").id,
    )
    other = Robot(kind="wecom", name="人社局群", webhook_url=webhooks.url("wecom"), department_id=w.hrss.id)
    f.db.session.add_all([department, county, city, other])
    f.db.session.flush()
    return {"department": department, "county": county, "city": city, "other": other}


def _robot_rows(created_at=None):
    rows = outbox_rows(created_at=created_at) if created_at else outbox_rows()
    return [r for r in rows if r.robot_id is not None]


def test_the_departments_group_hears_of_its_assignments_urges_and_reopens_once_per_event(w, groups):
    ticket = w.ticket("in_progress", now=NOW)
    [filed] = _robot_rows(NOW)
    assert (filed.robot_id, filed.channel, filed.address) == (groups["department"].id, "wecom", "自然资源局群")
    assert "王芳" in filed.payload["body"] and ticket.number in filed.payload["body"]  # in Chinese, the default
    perform_action(w.supervisor, ticket, "urge", now=LATER)
    perform_action(w.liaison, ticket, "resolve", note="已办结", now=LATER)  # the enterprise's news: no group
    perform_action(w.owner, ticket, "reopen", note="没有解决", now=LATER)
    kinds = [(r.robot_id, r.payload["kind"]) for r in _robot_rows(LATER)]
    assert kinds == [(groups["department"].id, "urged"), (groups["department"].id, "reopened")]


def test_an_escalation_tells_the_supervisors_groups_and_the_new_departments(w, groups):
    city_nr = Robot(kind="wecom", name="市自然资源局群", webhook_url="http://127.0.0.1:9/x?key=k",
                    department_id=f.department("411600", "nr").id)  # fmt: skip
    f.db.session.add(city_nr)
    ticket = w.ticket("in_progress", now=NOW)
    perform_action(w.supervisor, ticket, "escalate", now=LATER)
    rows = _robot_rows(LATER)
    assert sorted(r.robot_id for r in rows) == sorted([city_nr.id, groups["county"].id, groups["city"].id])
    assert all(r.payload["kind"] == "escalated" and "周口市" in r.payload["body"] for r in rows)


def test_the_sweep_sends_each_group_one_digest(w, groups):
    from helpdesk.tickets.sweep import sweep
    from tests.tickets.test_sweep import YELLOW

    one, two = w.ticket("in_progress"), w.ticket("in_progress")
    sweep(YELLOW)
    rows = _robot_rows(YELLOW)
    assert sorted(r.robot_id for r in rows) == sorted([groups["department"].id, groups["county"].id])
    for row in rows:
        assert one.number in row.payload["body"] and two.number in row.payload["body"]


def test_inactive_robots_hear_nothing(w, groups):
    for robot in groups.values():
        robot.active = False
    w.ticket("in_progress", now=NOW)
    assert _robot_rows() == []


def test_robot_messages_are_delivered_by_the_worker(w, groups, webhooks, deliver):
    w.ticket("in_progress", now=NOW)
    perform_action(w.supervisor, w.ticket("in_progress", now=NOW), "escalate", now=NOW)
    result = deliver(NOW)
    assert result.failed == 0 and result.sent >= 3
    assert len(webhooks.of("wecom")) >= 2 and len(webhooks.of("dingtalk")) == 1
    assert all(r.status == "sent" for r in _robot_rows())


def test_sms_is_delivered_through_the_gateway(w, sms_gateway, deliver):
    w.owner.mobile = "13800138000"
    ticket = w.ticket("in_progress", now=NOW)
    perform_action(w.liaison, ticket, "request_info", note="请补充用地红线图", now=LATER)
    assert deliver(LATER).failed == 0
    [request] = sms_gateway.of("sms")
    assert request["body"]["mobile"] == "13800138000" and "请补充用地红线图" in request["body"]["text"]
    [row] = outbox_rows(channel="sms")
    assert row.status == "sent" and request["body"]["client_msg_id"] == row.idempotency_key
