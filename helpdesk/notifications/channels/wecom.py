"""企业微信 (WeCom) group robot: POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=… with a JSON message.

Sent as msgtype "text" (at most 2048 bytes): titles and notes come from users, and a markdown message
would let them put links and formatting into a government group.
"""

from __future__ import annotations

from helpdesk.notifications.channels import Delivery, DeliveryError, GroupRobot, truncate_bytes
from helpdesk.notifications.channels.http import post_json

TEXT_LIMIT = 2048
# errcodes after which retrying cannot help: the webhook's key is wrong or the robot was removed.
PERMANENT = {93000, 93004, 93008}


def message_text(delivery: Delivery) -> str:
    text = f"{delivery.subject}\n{delivery.body}" if delivery.subject else delivery.body
    return truncate_bytes(text, TEXT_LIMIT)


class WeComRobot(GroupRobot):
    def send(self, delivery: Delivery) -> None:
        url = self.webhook(delivery)
        answer = post_json(url, {"msgtype": "text", "text": {"content": message_text(delivery)}}, timeout=self.timeout)
        check_errcode(answer, PERMANENT)


def check_errcode(answer: dict, permanent: set[int]) -> None:
    """WeCom and DingTalk answer HTTP 200 with {"errcode": 0, "errmsg": "ok"}; anything else is a refusal."""
    code = answer.get("errcode")
    if code != 0:
        raise DeliveryError(f"errcode {code}: {answer.get('errmsg', '')}"[:500], permanent=code in permanent)
