"""Admin pages of delivery: the deliveries list (filters, retry now), the failed count on the home page, and
the group robots (add, change, test message through the outbox, remove); the profile's channel choices and
the mobile number on the user pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.audit.models import AdminAuditLog
from helpdesk.db import utcnow
from helpdesk.notifications.channels import senders
from helpdesk.notifications.models import Channel, DeliveryStatus, OutboxMessage, Robot
from helpdesk.notifications.services import enqueue
from helpdesk.worker.delivery import deliver_batch
from tests import factories as f
from tests.notifications.sinks import DINGTALK_SECRET, WebhookSink
from tests.pages.conftest import errors_beside, fresh, text


@pytest.fixture()
def admin(w, login):
    return login(w.admin)


@pytest.fixture()
def webhooks():
    sink = WebhookSink().start()
    yield sink
    sink.stop()


def _row(status="failed", channel=Channel.EMAIL, address="someone@example.cn", error="SMTP 550 no such user"):
    row = enqueue(channel, address, {"subject": "已交办：ZK-2025-000009", "body": "正文"}, now=utcnow())
    row.status, row.attempts, row.last_error = DeliveryStatus(status), 8 if status == "failed" else 0, error
    f.db.session.flush()
    return row


def test_the_admin_home_shows_the_failed_deliveries(admin):
    assert "could not be delivered" not in text(admin.get("/admin/"))
    _row(), _row(), _row("sent", error=None)
    html = text(admin.get("/admin/"))
    assert 'data-failed-deliveries="2"' in html and "2 notifications could not be delivered." in html
    assert 'href="/admin/deliveries?status=failed"' in html


def test_deliveries_are_listed_and_filtered_by_status_and_channel(admin):
    failed, sent = _row(), _row("sent", error=None)
    sms = _row(channel=Channel.SMS, address="13800138000", error="gateway code 5")
    html = text(admin.get("/admin/deliveries"))
    for row in (failed, sent, sms):
        assert f'data-delivery="{row.id}"' in html
    assert "SMTP 550 no such user" in html and "已交办：ZK-2025-000009" in html
    only_failed = text(admin.get("/admin/deliveries?status=failed"))
    assert f'data-delivery="{sent.id}"' not in only_failed and f'data-delivery="{sms.id}"' in only_failed
    only_sms = text(admin.get("/admin/deliveries?status=failed&channel=sms"))
    assert f'data-delivery="{failed.id}"' not in only_sms and f'data-delivery="{sms.id}"' in only_sms
    assert admin.get("/admin/deliveries?status=nonsense&channel=%00").status_code == 200  # ignored, not an error


def test_retry_now_makes_a_failed_delivery_due_again_and_is_audited(admin, w):
    failed = _row()
    html = text(admin.get("/admin/deliveries"))
    assert f"/admin/deliveries/{failed.id}/retry" in html
    response = admin.post(f"/admin/deliveries/{failed.id}/retry")
    assert response.status_code == 302
    row = fresh(failed)
    assert (row.status, row.attempts, row.last_error) == ("pending", 0, "SMTP 550 no such user")
    assert row.next_attempt_at <= utcnow()
    [entry] = f.db.session.scalars(select(AdminAuditLog).where(AdminAuditLog.entity == "delivery")).all()
    assert (entry.actor_id, entry.entity_id, entry.before["status"], entry.after["status"]) == (
        w.admin.id, failed.id, "failed", "pending",
    )  # fmt: skip
    # A delivery that has not failed cannot be retried: a message, nothing changes.
    again = admin.post(f"/admin/deliveries/{failed.id}/retry", follow_redirects=True)
    assert "Only failed deliveries can be retried" in text(again)
    assert admin.post("/admin/deliveries/999999/retry").status_code == 404


def test_the_deliveries_page_in_chinese(login, w):
    _row()
    html = text(login(w.admin, locale="zh_CN").get("/admin/deliveries"))
    assert "投递" in html and "立即重试" in html and "失败" in html


# -- group robots ------------------------------------------------------------------------------------


def test_an_admin_adds_a_dingtalk_robot_and_sends_it_a_test_message(admin, w, app, webhooks):
    form = {
        "kind": "dingtalk",
        "name": "川汇区督查群",
        "webhook_url": webhooks.url("dingtalk"),
        "secret": DINGTALK_SECRET,
        "department_id": "",
        "jurisdiction_id": str(f.jurisdiction("411602").id),
        "active": "y",
    }
    response = admin.post("/admin/robots", data=form)
    assert response.status_code == 302
    robot = f.db.session.scalar(select(Robot).where(Robot.name == "川汇区督查群"))
    assert (robot.kind, robot.secret, robot.department_id) == ("dingtalk", DINGTALK_SECRET, None)
    assert "川汇区督查群" in text(admin.get("/admin/robots"))
    # The audit log keeps the change but neither the webhook (it holds the token) nor the secret.
    [entry] = f.db.session.scalars(select(AdminAuditLog).where(AdminAuditLog.entity == "robot")).all()
    assert "webhook_url" not in entry.after and "secret" not in entry.after and entry.after["name"] == "川汇区督查群"
    page = text(admin.get(f"/admin/robots/{robot.id}"))
    assert DINGTALK_SECRET not in page  # the secret is never shown again

    assert admin.post(f"/admin/robots/{robot.id}/test").status_code == 302
    [row] = f.db.session.scalars(select(OutboxMessage).where(OutboxMessage.robot_id == robot.id)).all()
    assert (row.status, row.channel, row.payload["kind"]) == ("pending", "dingtalk", "test")
    assert 'data-status="pending"' in text(admin.get(f"/admin/robots/{robot.id}"))
    assert deliver_batch("w", senders(app.config)).sent == 1
    [request] = webhooks.of("dingtalk")
    assert "群机器人" in request["body"]["text"]["content"]  # the group's language: Chinese by default
    assert 'data-status="sent"' in text(admin.get(f"/admin/robots/{robot.id}"))


def test_a_failed_test_message_shows_why(admin, w, app, webhooks):
    robot = Robot(kind="dingtalk", name="签名错误", webhook_url=webhooks.url("dingtalk"), secret="SECwrong",
                  jurisdiction_id=f.jurisdiction("411602").id)  # fmt: skip
    f.db.session.add(robot)
    f.db.session.flush()
    admin.post(f"/admin/robots/{robot.id}/test")
    assert deliver_batch("w", senders(app.config)).failed == 1
    html = text(admin.get(f"/admin/robots/{robot.id}"))
    assert 'data-status="failed"' in html and "310000" in html


@pytest.mark.parametrize(
    "change, field",
    [
        ({"webhook_url": "ftp://example.cn/hook"}, "webhook_url"),
        ({"department_id": "", "jurisdiction_id": ""}, "department_id"),
        ({"jurisdiction_id": "__J__"}, "department_id"),  # both a department and a jurisdiction
        ({"kind": "wecom", "secret": "SECxyz"}, "secret"),
    ],
)
def test_robot_forms_refuse_what_cannot_work(admin, w, change, field):
    form = {"kind": "dingtalk", "name": "群", "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=t",
            "secret": "", "department_id": str(w.nr.id), "jurisdiction_id": "", **change}  # fmt: skip
    if form["jurisdiction_id"] == "__J__":
        form["jurisdiction_id"] = str(f.jurisdiction("411602").id)
    response = admin.post("/admin/robots", data=form)
    assert response.status_code == 422
    assert errors_beside(text(response), field)
    assert f.db.session.scalar(select(Robot.id)) is None


def test_an_admin_changes_and_removes_a_robot(admin, w):
    robot = Robot(kind="wecom", name="自然资源局群", webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a",
                  department_id=w.nr.id)  # fmt: skip
    f.db.session.add(robot)
    f.db.session.flush()
    form = {"kind": "wecom", "name": "自然资源局工作群", "webhook_url": robot.webhook_url, "secret": "",
            "department_id": str(w.nr.id), "jurisdiction_id": ""}  # fmt: skip
    assert admin.post(f"/admin/robots/{robot.id}", data=form).status_code == 302
    changed = fresh(robot)
    assert (changed.name, changed.active) == ("自然资源局工作群", False)  # an unticked box switches it off
    robot_id = robot.id
    assert admin.post(f"/admin/robots/{robot_id}/delete").status_code == 302
    f.db.session.expire_all()
    assert f.db.session.scalar(select(Robot.id).where(Robot.id == robot_id)) is None


# -- mobile numbers and channels -------------------------------------------------------------------------


def test_an_admin_sets_a_users_mobile_number(admin, w):
    form = {"name": w.owner.name, "locale": "zh_CN", "mobile": "+86 138-0013-8000"}
    assert admin.post(f"/admin/users/{w.owner.id}", data=form).status_code == 302
    assert fresh(w.owner).mobile == "13800138000"
    invalid = admin.post(f"/admin/users/{w.owner.id}", data={**form, "mobile": "12345"})
    assert invalid.status_code == 422 and errors_beside(text(invalid), "mobile")
    taken = admin.post(f"/admin/users/{w.stranger.id}", data={**form, "name": w.stranger.name})
    assert taken.status_code == 409 and "already has the mobile number" in " ".join(
        errors_beside(text(taken), "mobile")
    )
    cleared = admin.post(f"/admin/users/{w.owner.id}", data={**form, "mobile": ""})
    assert cleared.status_code == 302 and fresh(w.owner).mobile is None


def test_an_admin_creates_a_user_with_a_mobile_number(admin):
    form = {"email": "new@example.cn", "name": "新用户", "password": "long enough", "role": "admin",
            "locale": "zh_CN", "mobile": "13912345678"}  # fmt: skip
    assert admin.post("/admin/users/new", data=form).status_code == 302
    assert f.db.session.scalar(select(f.db.Model.metadata.tables["users"].c.mobile).where(
        f.db.Model.metadata.tables["users"].c.email == "new@example.cn")) == "13912345678"  # fmt: skip


def test_people_choose_their_channels_on_the_profile_page(login, w):
    owner = login(w.owner)
    html = text(owner.get("/profile"))
    assert "always" in html and 'name="sms"' in html and "ask an administrator" in html
    assert owner.post("/profile/channels", data={}).status_code == 302  # both boxes unticked
    assert fresh(w.owner).email_notices is False
    refused = owner.post("/profile/channels", data={"sms": "y"}, follow_redirects=True)
    assert "need a mobile number" in text(refused)
    w.owner.mobile = "13800138000"
    f.db.session.flush()
    assert '<input checked class="form-check-input" id="sms" name="sms"' in text(owner.get("/profile"))  # the default
    owner.post("/profile/channels", data={"email": "y"})
    person = fresh(w.owner)
    assert (person.email_notices, person.sms_notices) == (True, False)
