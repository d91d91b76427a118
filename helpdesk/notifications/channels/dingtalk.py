"""钉钉 (DingTalk) custom robot: POST https://oapi.dingtalk.com/robot/send?access_token=…&timestamp=…&sign=…

With a signing secret (the robot's "加签" security setting), sign = urlencode(base64(HMAC-SHA256(key=secret,
msg=f"{timestamp}\\n{secret}"))), timestamp in milliseconds; DingTalk refuses a timestamp more than an
hour off. Sent as msgtype "text".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse

from helpdesk.notifications.channels import Delivery, GroupRobot, truncate_bytes
from helpdesk.notifications.channels.http import post_json
from helpdesk.notifications.channels.wecom import check_errcode

TEXT_LIMIT = 4000
# 300001: the access token is wrong; 310000: the security setting (signature, keyword, IP) refused the message.
PERMANENT = {300001, 300005, 310000}


def sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature of a timestamp (already URL-encoded, as the query parameter wants it)."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def signed_url(url: str, secret: str | None, timestamp_ms: int | None = None) -> str:
    if not secret:
        return url
    timestamp_ms = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={sign(secret, timestamp_ms)}"


class DingTalkRobot(GroupRobot):
    def send(self, delivery: Delivery) -> None:
        url = self.webhook(delivery)
        text = f"{delivery.subject}\n{delivery.body}" if delivery.subject else delivery.body
        body = {"msgtype": "text", "text": {"content": truncate_bytes(text, TEXT_LIMIT)}}
        answer = post_json(signed_url(url, delivery.robot.get("secret")), body, timeout=self.timeout)
        check_errcode(answer, PERMANENT)
