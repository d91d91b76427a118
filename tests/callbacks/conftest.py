"""Fixtures of the callback tests: the people around one company (tests.factories.World), tickets completed
through the real workflow a few days before `NOW`, and the clock the queue is read at."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from helpdesk.tickets.services import perform_action
from helpdesk.tickets.sweep import sweep
from tests import factories as f
from tests.api.conftest import bearer  # noqa: F401 - a fixture of these tests too
from tests.pages.conftest import login  # noqa: F401 - a fixture of these tests too

# A Tuesday of an ordinary 2025 week, 10:00 in Shanghai: the queue is read now.
NOW = datetime(2025, 6, 10, 2, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture()
def w(db):
    from tests.pages.conftest import CHEAP_HASH

    f._FAST_HASH[:] = [CHEAP_HASH]  # page tests log these people in: a one-round hash
    return f.World()


def completed(w, status: str = "resolved", days_ago: int = 3, rating: str | None = "satisfied", at=NOW):
    """A land ticket of w.company resolved `days_ago` days before `at`, then confirmed (closed) with `rating`,
    or left resolved, or auto-closed (status="auto_closed"). Pages read the real clock: they pass utcnow()."""
    filed = at - (days_ago + 1) * DAY
    ticket = w.ticket("in_progress", now=filed)
    resolved_at = at - days_ago * DAY
    perform_action(w.liaison, ticket, "resolve", note="指标已下达", now=resolved_at)
    if status == "closed":
        perform_action(w.owner, ticket, "confirm", rating=rating, now=resolved_at + timedelta(hours=2))
    elif status == "auto_closed":
        perform_action(None, ticket, "auto_close", now=resolved_at + timedelta(hours=2))
    return ticket


def auto_closed_by_the_sweep(w):
    """A ticket resolved long enough ago that the sweep closes it without a rating."""
    ticket = completed(w, "resolved", days_ago=12)
    sweep(NOW - 2 * DAY)
    f.db.session.refresh(ticket)
    assert ticket.status == "closed" and ticket.rating is None
    return ticket
