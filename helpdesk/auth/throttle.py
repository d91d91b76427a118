"""Failed-login counters that every app process sees (PRODUCT.md §9, §13; docs/SECURITY.md "Throttling").

Two counts over moving windows: failures of one (email, client address) pair (LOGIN_FAILURE_LIMIT, 5 a
minute, then 429), and failures of one email from anywhere (LOCKOUT_FAILURES within
LOCKOUT_WINDOW_MINUTES, then the account is locked: auth/logins.py). Only failures are counted, so a
person who types the right password is never slowed down.

They live in Redis when REDIS_URL is set (the `limits` package's moving window), else in the database
(`login_failures` rows, counted within the window): never in a worker's memory, which each gunicorn
worker would have on its own.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Protocol

from flask import current_app
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import delete, func, select

from helpdesk.auth.models import LoginFailure
from helpdesk.db import utcnow
from helpdesk.extensions import db


def _pair_limit() -> RateLimitItem:
    return parse(current_app.config["LOGIN_FAILURE_LIMIT"])


def _email_limit() -> RateLimitItem:
    config = current_app.config
    return parse(f"{int(config['LOCKOUT_FAILURES'])} per {int(config['LOCKOUT_WINDOW_MINUTES'])} minutes")


class Counter(Protocol):
    def record(self, email: str, address: str, now: datetime) -> None: ...
    def pair_wait(self, email: str, address: str, now: datetime) -> int | None: ...
    def email_failures(self, email: str, now: datetime) -> int: ...
    def clear(self, email: str) -> None: ...


class DatabaseCounter:
    """One row per failure; a count within the window. Rows older than both windows are deleted as new
    ones come (the index on `at` keeps that cheap)."""

    def record(self, email: str, address: str, now: datetime) -> None:
        keep = max(_pair_limit().get_expiry(), _email_limit().get_expiry())
        db.session.execute(delete(LoginFailure).where(LoginFailure.at < now - timedelta(seconds=keep)))
        db.session.add(LoginFailure(email=email, address=address, at=now))
        db.session.flush()

    def pair_wait(self, email: str, address: str, now: datetime) -> int | None:
        limit = _pair_limit()
        window = timedelta(seconds=limit.get_expiry())
        recent = db.session.scalars(
            select(LoginFailure.at)
            .where(LoginFailure.email == email, LoginFailure.address == address, LoginFailure.at > now - window)
            .order_by(LoginFailure.at.desc())
            .limit(limit.amount)
        ).all()
        if len(recent) < limit.amount:
            return None
        return max(1, math.ceil((recent[-1] + window - now).total_seconds()))

    def email_failures(self, email: str, now: datetime) -> int:
        window = timedelta(seconds=_email_limit().get_expiry())
        return db.session.scalar(
            select(func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.email == email, LoginFailure.at > now - window)
        )

    def clear(self, email: str) -> None:
        db.session.execute(delete(LoginFailure).where(LoginFailure.email == email))


class RedisCounter:
    """The same two counts as `limits` moving windows in Redis (shared by every process on the server)."""

    def __init__(self, url: str, prefix: str):
        self.strategy = MovingWindowRateLimiter(storage_from_string(url))
        self.prefix = prefix

    def _pair(self, email: str, address: str) -> tuple[str, ...]:
        return (self.prefix, "login-failures", email, address)

    def _email(self, email: str) -> tuple[str, ...]:
        return (self.prefix, "login-failures-of", email)

    def record(self, email: str, address: str, now: datetime) -> None:
        self.strategy.hit(_pair_limit(), *self._pair(email, address))
        self.strategy.hit(_email_limit(), *self._email(email))

    def pair_wait(self, email: str, address: str, now: datetime) -> int | None:
        limit = _pair_limit()
        if self.strategy.test(limit, *self._pair(email, address)):
            return None
        reset_at, _remaining = self.strategy.get_window_stats(limit, *self._pair(email, address))
        return max(1, math.ceil(reset_at - now.timestamp()))

    def email_failures(self, email: str, now: datetime) -> int:
        limit = _email_limit()
        _reset_at, remaining = self.strategy.get_window_stats(limit, *self._email(email))
        return limit.amount - remaining

    def clear(self, email: str) -> None:
        self.strategy.clear(_email_limit(), *self._email(email))


def counter() -> Counter:
    """This app's counter: Redis when LOGIN_COUNTERS_URL (REDIS_URL) is set, else the database."""
    url = current_app.config.get("LOGIN_COUNTERS_URL")
    if not url:
        return DatabaseCounter()
    cached = current_app.extensions.get("helpdesk-login-counter")
    if cached is None:
        cached = current_app.extensions["helpdesk-login-counter"] = RedisCounter(
            url, current_app.config["LOGIN_COUNTER_PREFIX"]
        )
    return cached


def _address(address: str | None) -> str:
    return (address or "-")[:45]


def retry_after(email: str, address: str | None, now: datetime | None = None) -> int | None:
    """Seconds to wait when this (email, address) has used up its failures; None when it may try."""
    return counter().pair_wait(email, _address(address), now or utcnow())


def record_failure(email: str, address: str | None, now: datetime | None = None) -> None:
    counter().record(email, _address(address), now or utcnow())


def recent_failures(email: str, now: datetime | None = None) -> int:
    """Failures of this email, from any address, within LOCKOUT_WINDOW_MINUTES."""
    return counter().email_failures(email, now or utcnow())


def clear_failures(email: str) -> None:
    """Forget the email's failures (an admin unlocked the account)."""
    counter().clear(email)
