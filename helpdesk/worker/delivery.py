"""Deliver one batch of due outbox rows: claim and commit, send each with no transaction open, mark each."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app

from helpdesk.db import utcnow
from helpdesk.extensions import db
from helpdesk.notifications import outbox
from helpdesk.notifications.channels import DeliveryError, Sender, senders
from helpdesk.notifications.models import Channel

log = logging.getLogger(__name__)

# A claimed row is sent only while this much of its lease is left, so that no other worker takes it
# over while it is on the wire (one SMTP conversation is several commands of up to 10 s each).
SEND_MARGIN = timedelta(seconds=60)


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0
    deferred: int = 0
    errors: list[str] = field(default_factory=list)


def deliver_batch(
    worker_id: str,
    channels: dict[Channel, Sender] | None = None,
    clock: Callable[[], datetime] = utcnow,
    limit: int | None = None,
) -> BatchResult:
    """Claim up to `limit` due rows for this worker and deliver them (commits after each step)."""
    channels = channels if channels is not None else senders(current_app.config)
    result = BatchResult()
    now = clock()
    holder = f"{worker_id}/{secrets.token_hex(4)}"
    batch = outbox.claim(holder, now, limit)
    db.session.commit()  # the claim is visible to other workers before anything is sent
    result.claimed = len(batch)
    lease = timedelta(seconds=int(current_app.config.get("OUTBOX_LEASE_SECONDS", 300)))
    lease_ends = now + lease
    down: dict[str, tuple[datetime, str]] = {}  # servers that did not answer in this batch: until when, why
    for index, delivery in enumerate(batch):
        if clock() + min(SEND_MARGIN, lease / 2) > lease_ends:
            outbox.release(batch[index:])
            db.session.commit()
            result.released = len(batch) - index
            break
        if delivery.server in down:
            until, reason = down[delivery.server]
            outbox.defer([delivery], until, reason)
            db.session.commit()
            result.deferred += 1
            continue
        try:
            note = channels[delivery.channel].send(delivery)
        except DeliveryError as exc:
            failed_at = clock()
            status = outbox.mark_failed(delivery, str(exc), failed_at, permanent=exc.permanent)
            _count_failure(result, status, delivery, str(exc))
            if exc.unreachable:
                down[delivery.server] = (failed_at + timedelta(seconds=outbox.backoff(1)), str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug in one channel must not stop the others
            log.exception("delivery %s on %s raised", delivery.id, delivery.channel)
            status = outbox.mark_failed(delivery, f"{exc.__class__.__name__}: {exc}", clock())
            _count_failure(result, status, delivery, str(exc))
        else:
            outbox.mark_sent(delivery, clock(), note)
            result.sent += 1
        db.session.commit()
    return result


def _count_failure(result: BatchResult, status, delivery, error: str) -> None:
    result.errors.append(f"{delivery.channel} #{delivery.id}: {error}")
    if status == outbox.S.FAILED:
        result.failed += 1
        log.warning("delivery %s to %s failed for good: %s", delivery.id, delivery.address, error)
    else:
        result.retried += 1
        log.warning("delivery %s to %s will be retried: %s", delivery.id, delivery.address, error)
