"""Failed-login throttling per (email, client address): 5 failures a minute, then 429 (PRODUCT.md §9).

Only failures are counted, so a person who types the right password is never slowed down.
The counters live in Flask-Limiter's storage: memory by default, Redis when REDIS_URL is set.
"""

from __future__ import annotations

import math
import time

from flask import current_app
from limits import parse

from helpdesk.extensions import limiter


def _limit():
    return parse(current_app.config["LOGIN_FAILURE_LIMIT"])


def _key(email: str, address: str | None) -> tuple[str, str, str]:
    return ("login-failures", (email or "").strip().lower(), address or "-")


def retry_after(email: str, address: str | None) -> int | None:
    """Seconds to wait when this (email, address) has used up its failures; None when it may try."""
    strategy = limiter.limiter
    limit = _limit()
    if strategy.test(limit, *_key(email, address)):
        return None
    reset_at, _remaining = strategy.get_window_stats(limit, *_key(email, address))
    return max(1, math.ceil(reset_at - time.time()))


def record_failure(email: str, address: str | None) -> None:
    limiter.limiter.hit(_limit(), *_key(email, address))
