"""Deliveries through the API (admins): list the outbox by status and channel, retry a failed one; users'
mobile numbers and channels."""

from __future__ import annotations

import pytest

from helpdesk.db import utcnow
from helpdesk.notifications.models import Channel, DeliveryStatus
from helpdesk.notifications.services import enqueue
from tests import factories
from tests.api.conftest import assert_error_shape, error_fields

FIELDS = {
    "id", "channel", "recipient_id", "robot_id", "address", "kind", "subject", "ticket_id", "status", "attempts",
    "next_attempt_at", "lease_until", "last_error", "sent_at", "created_at",
}  # fmt: skip


def _row(status="failed", channel=Channel.EMAIL, address="a@example.cn"):
    row = enqueue(
        channel, address, {"subject": "主题", "body": "正文", "kind": "assigned", "ticket_id": None}, now=utcnow()
    )
    row.status, row.last_error = DeliveryStatus(status), ("SMTP 451 try later" if status == "failed" else None)
    factories.db.session.flush()
    return row


def test_admins_list_deliveries_filtered_by_status_and_channel(client, world, bearer):
    failed, sent, sms = _row(), _row("sent"), _row(channel=Channel.SMS, address="13800138000")
    headers = bearer(world.admin)
    body = client.get("/api/v1/deliveries?per_page=100", headers=headers).get_json()
    assert {item["id"] for item in body["items"]} >= {failed.id, sent.id, sms.id}
    assert set(body["items"][0]) == FIELDS
    [item] = [i for i in body["items"] if i["id"] == failed.id]
    assert (item["status"], item["last_error"], item["subject"], item["attempts"]) == (
        "failed", "SMTP 451 try later", "主题", 0,
    )  # fmt: skip
    only = client.get("/api/v1/deliveries?status=failed&channel=sms", headers=headers).get_json()
    assert [i["id"] for i in only["items"]] == [sms.id] and only["total"] == 1
    assert error_fields(client.get("/api/v1/deliveries?status=lost", headers=headers), "query")


@pytest.mark.parametrize("who", ["owner", "liaison", "supervisor"])
def test_only_admins_see_deliveries(client, world, bearer, who):
    failed = _row()
    headers = bearer(getattr(world, who))
    assert_error_shape(client.get("/api/v1/deliveries", headers=headers), 403)
    assert_error_shape(client.post(f"/api/v1/deliveries/{failed.id}/retry", headers=headers), 403)
    assert_error_shape(client.get("/api/v1/deliveries"), 401)


def test_retry_a_failed_delivery(client, world, bearer):
    failed, sent = _row(), _row("sent")
    headers = bearer(world.admin)
    response = client.post(f"/api/v1/deliveries/{failed.id}/retry", headers=headers)
    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["attempts"]) == ("pending", 0)
    assert_error_shape(client.post(f"/api/v1/deliveries/{failed.id}/retry", headers=headers), 409)
    assert_error_shape(client.post(f"/api/v1/deliveries/{sent.id}/retry", headers=headers), 409)
    assert_error_shape(client.post("/api/v1/deliveries/2147483647/retry", headers=headers), 404)


def test_admins_set_mobile_numbers_through_the_api(client, world, bearer):
    headers = bearer(world.admin)
    body = {"email": "m@example.cn", "name": "手机用户", "password": "long enough", "role": "admin",
            "mobile": "138 0013 8000"}  # fmt: skip
    created = client.post("/api/v1/users", json=body, headers=headers)
    assert created.status_code == 201 and created.get_json()["mobile"] == "13800138000"
    again = client.post("/api/v1/users", json={**body, "email": "n@example.cn"}, headers=headers)
    assert "mobile" in assert_error_shape(again, 409)["errors"]["json"]
    bad = client.patch(f"/api/v1/users/{world.owner.id}", json={"mobile": "23800138000"}, headers=headers)
    assert "mobile" in error_fields(bad)
    ok = client.patch(f"/api/v1/users/{world.owner.id}", json={"mobile": "+8613900139000"}, headers=headers)
    assert ok.get_json()["mobile"] == "13900139000"
    assert ok.get_json()["channels"] == ["email", "sms"]  # an enterprise user with a mobile: SMS by default
    cleared = client.patch(f"/api/v1/users/{world.owner.id}", json={"mobile": None}, headers=headers)
    assert (cleared.get_json()["mobile"], cleared.get_json()["channels"]) == (None, ["email"])


def test_people_choose_their_channels_through_the_api(client, world, bearer):
    headers = bearer(world.liaison)
    assert client.get("/api/v1/users/me", headers=headers).get_json()["channels"] == ["email"]
    refused = client.patch("/api/v1/users/me", json={"channels": ["email", "sms"]}, headers=headers)
    assert "sms" in assert_error_shape(refused, 422)["errors"]["json"]
    world.liaison.mobile = "13700137000"
    factories.db.session.flush()
    chosen = client.patch("/api/v1/users/me", json={"channels": ["sms"]}, headers=headers)
    assert chosen.status_code == 200 and chosen.get_json()["channels"] == ["sms"]
    assert_error_shape(client.patch("/api/v1/users/me", json={"channels": ["fax"]}, headers=headers), 422)
