"""Delivery channels behind one interface: `send(delivery)` returns (or a note) or raises DeliveryError.

Each channel knows its own timeout (SMTP 10 s, HTTP 5 s by default) and is built from the app's
configuration by `senders(config)`. A channel never touches the database: the worker hands it a
`Delivery` read when the row was claimed, so no transaction is open while it talks to a server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from helpdesk.notifications.models import Channel


class DeliveryError(Exception):
    """The message did not go out. `permanent`: retrying cannot help (a refused address, a removed robot).
    `unreachable`: the server itself did not answer (refused, timed out), so the worker does not try the
    other messages for that server in the same batch: a hanging server costs one timeout, not one per message."""

    def __init__(self, message: str, permanent: bool = False, unreachable: bool = False):
        super().__init__(message)
        self.permanent = permanent
        self.unreachable = unreachable


@dataclass(frozen=True)
class Delivery:
    """What a channel needs to send one outbox row, copied out of the database when the row was claimed."""

    id: int
    channel: Channel
    address: str
    payload: dict
    key: str  # the idempotency key: Message-ID, the SMS gateway's client message id
    attempts: int
    claimed_by: str = ""
    robot: dict = field(default_factory=dict)  # webhook_url and secret of a group robot

    @property
    def server(self) -> str:
        """What an unreachable server takes down with it: the channel, and a robot's own webhook."""
        return f"{self.channel}:{self.robot.get('webhook_url', '')}"

    @property
    def subject(self) -> str:
        return str(self.payload.get("subject") or "")

    @property
    def body(self) -> str:
        return str(self.payload.get("body") or "")


class Sender(Protocol):
    timeout: float

    def send(self, delivery: Delivery) -> str | None:
        """Deliver, or raise DeliveryError; may return a note kept with the row (e.g. "suppressed")."""


class GroupRobot:
    """A WeCom or DingTalk group robot: a webhook URL copied from the robot's row when the message was claimed."""

    def __init__(self, timeout: float = 5):
        self.timeout = timeout

    @staticmethod
    def webhook(delivery: Delivery) -> str:
        url = delivery.robot.get("webhook_url")
        if not url:
            raise DeliveryError("the group robot has been removed", permanent=True)
        return url


def senders(config) -> dict[Channel, Sender]:
    """One sender per channel, configured from the app's config."""
    from helpdesk.notifications.channels.dingtalk import DingTalkRobot
    from helpdesk.notifications.channels.email import EmailSender
    from helpdesk.notifications.channels.sms import SmsGateway
    from helpdesk.notifications.channels.wecom import WeComRobot

    http_timeout = float(config.get("HTTP_TIMEOUT", 5))
    return {
        Channel.EMAIL: EmailSender.from_config(config),
        Channel.SMS: SmsGateway.from_config(config),
        Channel.WECOM: WeComRobot(timeout=http_timeout),
        Channel.DINGTALK: DingTalkRobot(timeout=http_timeout),
    }


def truncate_bytes(text: str, limit: int) -> str:
    """`text` cut to at most `limit` bytes of UTF-8 (robots refuse longer messages), on a character boundary."""
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text
    return raw[: limit - 3].decode("utf-8", errors="ignore") + "…"
