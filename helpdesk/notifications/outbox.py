"""The outbox's life cycle: claim due rows, mark them sent, schedule a retry or give up; retry on demand.

Claiming is one short transaction: `SELECT … FOR UPDATE SKIP LOCKED LIMIT n` on PostgreSQL (several
workers never claim the same row), then an UPDATE that sets status `sending`, the lease and the holder
and counts the attempt, guarded by the same "is it due" condition (so it is safe on SQLite as well,
where one worker runs). The caller commits before anything is sent, and marks each row afterwards in a
new short transaction. A row whose lease expired (its worker died) is due again: it may be sent twice,
never lost. Flush, never commit.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select, update

from helpdesk.audit.services import record_change, snapshot
from helpdesk.auth.services import admin_only
from helpdesk.errors import Conflict
from helpdesk.extensions import db
from helpdesk.notifications.channels import Delivery
from helpdesk.notifications.models import DeliveryStatus, OutboxMessage, Robot

ERROR_LENGTH = 2000
S = DeliveryStatus


def due(now: datetime):
    """Rows a worker may claim now: pending and due, or sending with an expired lease (a crashed worker)."""
    return or_(
        and_(OutboxMessage.status == S.PENDING, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == S.SENDING, OutboxMessage.lease_until < now),
    )


def claim(holder: str, now: datetime, limit: int | None = None) -> list[Delivery]:
    """Claim up to `limit` due rows for `holder` (a token unique to this claim); the caller commits at once."""
    config = current_app.config
    limit = limit or int(config.get("OUTBOX_BATCH", 20))
    ids = list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(due(now))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not ids:
        return []
    lease_until = now + timedelta(seconds=int(config.get("OUTBOX_LEASE_SECONDS", 300)))
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), due(now))
        .values(status=S.SENDING, lease_until=lease_until, claimed_by=holder, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    rows = db.session.execute(
        select(OutboxMessage, Robot)
        .outerjoin(Robot, Robot.id == OutboxMessage.robot_id)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.claimed_by == holder, OutboxMessage.status == S.SENDING)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .execution_options(populate_existing=True)
    ).all()
    return [_delivery(message, robot) for message, robot in rows]


def _delivery(message: OutboxMessage, robot: Robot | None) -> Delivery:
    robot_data = {}
    if robot is not None and robot.active:
        robot_data = {"webhook_url": robot.webhook_url, "secret": robot.secret}
    return Delivery(
        id=message.id,
        channel=message.channel,
        address=message.address,
        payload=dict(message.payload or {}),
        key=message.idempotency_key,
        attempts=message.attempts,
        claimed_by=message.claimed_by or "",
        robot=robot_data,
    )


def _held(delivery: Delivery) -> tuple:
    """The row as this worker's claim holds it: only the holder may hand it back or count a failure."""
    return (
        OutboxMessage.id == delivery.id,
        OutboxMessage.claimed_by == delivery.claimed_by,
        OutboxMessage.status == S.SENDING,
    )


def mark_sent(delivery: Delivery, now: datetime, note: str | None = None) -> None:
    """It went out: sent, whoever holds the row now (after an expired lease another worker may, too)."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == delivery.id)
        .values(status=S.SENT, sent_at=now, lease_until=None, last_error=note)
        .execution_options(synchronize_session=False)
    )


def backoff(attempts: int, rng: random.Random | None = None) -> float:
    """Seconds before the next attempt after `attempts` failed ones: base·2^(attempts−1), capped, ±25% jitter."""
    config = current_app.config
    base = float(config.get("OUTBOX_RETRY_BASE_SECONDS", 30))
    cap = float(config.get("OUTBOX_RETRY_MAX_SECONDS", 3600))
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    return delay * (rng or random).uniform(0.75, 1.25)


def mark_failed(delivery: Delivery, error: str, now: datetime, permanent: bool = False) -> DeliveryStatus:
    """It did not go out: retry later with backoff, or give up (failed) after the last attempt or a refusal.

    Only the holder of the claim may do this, and never to a row already sent."""
    give_up = permanent or delivery.attempts >= int(current_app.config.get("OUTBOX_MAX_ATTEMPTS", 8))
    values: dict = {"lease_until": None, "last_error": error[:ERROR_LENGTH]}
    if give_up:
        values["status"] = S.FAILED
    else:
        values["status"] = S.PENDING
        values["next_attempt_at"] = now + timedelta(seconds=backoff(delivery.attempts))
    db.session.execute(
        update(OutboxMessage).where(*_held(delivery)).values(**values).execution_options(synchronize_session=False)
    )
    return values["status"]


def release(deliveries: list[Delivery]) -> None:
    """Hand back claimed rows this worker will not send before its lease ends (not counted as an attempt)."""
    for delivery in deliveries:
        db.session.execute(
            update(OutboxMessage)
            .where(*_held(delivery))
            .values(status=S.PENDING, lease_until=None, attempts=OutboxMessage.attempts - 1)
            .execution_options(synchronize_session=False)
        )


def defer(deliveries: list[Delivery], until: datetime, reason: str) -> None:
    """Put claimed rows back, untried, until `until` (their server is down: not counted as an attempt)."""
    for delivery in deliveries:
        db.session.execute(
            update(OutboxMessage)
            .where(*_held(delivery))
            .values(
                status=S.PENDING,
                lease_until=None,
                attempts=OutboxMessage.attempts - 1,
                next_attempt_at=until,
                last_error=f"Not tried: {reason}"[:ERROR_LENGTH],
            )
            .execution_options(synchronize_session=False)
        )


def retry_now(actor, message: OutboxMessage, now: datetime) -> OutboxMessage:
    """An admin sends a failed message again: due at once, with a fresh set of attempts (audited)."""
    admin_only(actor)
    if message.status != S.FAILED:
        raise Conflict("Only failed deliveries can be retried (this one is %(status)s).", status=message.status.value)
    before = snapshot(message)
    message.status = S.PENDING
    message.attempts = 0
    message.next_attempt_at = now
    message.lease_until = None
    db.session.flush()
    record_change(actor, "delivery", message, "update", before)
    return message


def failed_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == S.FAILED))


def deliveries_query(status: str | None = None, channel: str | None = None):
    """Outbox rows for the admin's page and API, newest first, filtered by status and channel."""
    query = select(OutboxMessage)
    if status:
        query = query.where(OutboxMessage.status == status)
    if channel:
        query = query.where(OutboxMessage.channel == channel)
    return query.order_by(OutboxMessage.id.desc())
