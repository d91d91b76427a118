"""In-app notifications, the outbox of messages to deliver, and the group robots that receive some."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.db import Base, UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from helpdesk.jurisdictions.models import Department, Jurisdiction


class Notification(Base):
    """A message for one user, about one ticket (assignment, urge, resolution, reopen, warning) or its account."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_id_read_at", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Channel(StrEnum):
    """Where an outbox message goes (in-app notifications are rows of their own, not outbox messages)."""

    EMAIL = "email"
    SMS = "sms"
    WECOM = "wecom"  # 企业微信 group robot
    DINGTALK = "dingtalk"  # 钉钉 custom robot


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its next attempt
    SENDING = "sending"  # claimed by a worker until lease_until
    SENT = "sent"
    FAILED = "failed"  # gave up (attempts exhausted, or a permanent refusal); an admin may retry it


class RobotKind(StrEnum):
    WECOM = "wecom"
    DINGTALK = "dingtalk"


def _values_sql(enum: type[StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in enum)


class OutboxMessage(Base):
    """One message to deliver on one channel, written in the transaction of the action it tells of.

    The delivery worker claims due rows (status pending and next_attempt_at passed, or sending with an
    expired lease), sends them, and marks them sent or schedules a retry.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(f"channel IN ({_values_sql(Channel)})", name="channel"),
        CheckConstraint(f"status IN ({_values_sql(DeliveryStatus)})", name="status"),
        CheckConstraint("attempts >= 0", name="attempts"),
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, 10))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    robot_id: Mapped[int | None] = mapped_column(ForeignKey("robots.id", ondelete="SET NULL"), index=True)
    address: Mapped[str] = mapped_column(String(254))  # an email, a mobile number, or the robot's name
    payload: Mapped[dict] = mapped_column(JSON)  # subject, body, kind, ticket_id, number
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus, 10), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(100))  # host:pid of the worker holding the lease
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Sent along where the channel can de-duplicate (SMTP Message-ID, the SMS gateway's client id).
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.channel} {self.status} {self.address}>"


class Robot(Base):
    """A WeCom or DingTalk group robot (webhook) of one department or one jurisdiction (its supervisors' office)."""

    __tablename__ = "robots"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_values_sql(RobotKind)})", name="kind"),
        CheckConstraint("(department_id IS NULL) <> (jurisdiction_id IS NULL)", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RobotKind] = mapped_column(enum_column(RobotKind, 10))
    name: Mapped[str] = mapped_column(String(100))
    webhook_url: Mapped[str] = mapped_column(String(500))  # with WeCom's key or DingTalk's access_token
    secret: Mapped[str | None] = mapped_column(String(200))  # DingTalk's signing secret (SEC…)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    jurisdiction_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    department: Mapped[Department | None] = relationship()
    jurisdiction: Mapped[Jurisdiction | None] = relationship()

    def __repr__(self) -> str:
        return f"<Robot {self.id} {self.kind} {self.name}>"
