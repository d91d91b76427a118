"""SMS through a configurable HTTP gateway (SMS_GATEWAY_URL, SMS_GATEWAY_KEY, SMS_GATEWAY_SECRET, SMS_TEMPLATE_ID).

The contract (README "SMS gateway"): POST SMS_GATEWAY_URL with JSON
    {"client_msg_id": "<outbox idempotency key>", "mobile": "13800138000",
     "template_id": "<SMS_TEMPLATE_ID>", "params": {"content": "<text>"}, "text": "<text>"}
and the headers X-Api-Key (the key), X-Timestamp (Unix seconds) and X-Signature: the hex
HMAC-SHA256 with the secret of f"{timestamp}\\n" + the request body. The gateway answers
{"code": 0, "message_id": "…"} (any other code, with "message", is a refusal) and should treat a
client_msg_id it has seen as already sent: so a message sent twice after a worker crash arrives once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from helpdesk.notifications.channels import Delivery, DeliveryError
from helpdesk.notifications.channels.http import post_bytes


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), timestamp.encode() + b"\n" + body, hashlib.sha256).hexdigest()


class SmsGateway:
    def __init__(
        self, url: str | None, key: str | None, secret: str | None, template_id: str | None, timeout: float = 5
    ):
        self.url, self.key, self.secret, self.template_id = url, key, secret, template_id
        self.timeout = timeout

    @classmethod
    def from_config(cls, config) -> SmsGateway:
        return cls(
            config.get("SMS_GATEWAY_URL"),
            config.get("SMS_GATEWAY_KEY"),
            config.get("SMS_GATEWAY_SECRET"),
            config.get("SMS_TEMPLATE_ID"),
            float(config.get("HTTP_TIMEOUT", 5)),
        )

    def send(self, delivery: Delivery) -> None:
        if not self.url:
            raise DeliveryError("SMS_GATEWAY_URL is not set")
        body = {
            "client_msg_id": delivery.key,
            "mobile": delivery.address,
            "template_id": self.template_id,
            "params": {"content": delivery.body},
            "text": delivery.body,
        }
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        timestamp = str(int(time.time()))
        headers = {"X-Api-Key": self.key or "", "X-Timestamp": timestamp}
        if self.secret:
            headers["X-Signature"] = signature(self.secret, timestamp, data)
        answer = post_bytes(self.url, data, timeout=self.timeout, headers=headers)
        if answer.get("code") != 0:
            raise DeliveryError(f"gateway code {answer.get('code')}: {answer.get('message', '')}"[:500])
