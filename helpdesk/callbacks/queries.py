"""The callback queue and a ticket's callbacks: the selects the page and the API share.

The queue holds the tickets of the caller's subtree completed in the last CALLBACK_DAYS and not yet
reached by a callback: first those that must be called (auto-closed without a rating, and those a
callback found unsolved, now completed again), then a sample of the rest of CALLBACK_SAMPLE_PERCENT,
each group oldest completion first. The sample is a hash of the ticket id, so it is the same on every
page load, in every worker, and on both databases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask import current_app
from sqlalchemy import ColumnElement, and_, case, func, literal_column, or_, select
from sqlalchemy.orm import selectinload

from helpdesk.auth.models import Role, User
from helpdesk.callbacks.models import Callback
from helpdesk.callbacks.services import check_caller
from helpdesk.errors import NotAllowed
from helpdesk.extensions import db
from helpdesk.jurisdictions.scope import supervised_scope
from helpdesk.tickets.models import COMPLETED_STATUSES, CallbackState, Status, Ticket
from helpdesk.tickets.queries import load_visible_ticket, with_ticket_details

# Knuth's multiplicative hash: the top bits of id × ⌊2³²/φ⌋ mod 2³², scaled to 0–99. Consecutive ids land far
# apart, and the product stays inside a 64-bit integer for every id up to 2³¹ (SQLite and PostgreSQL alike).
_MULTIPLIER = 2654435761
_MODULUS = 2**32
GOVERNMENT_ONLY = "Callbacks are for government users."


class Reason(StrEnum):
    """Why a ticket is in the queue."""

    AUTO_CLOSED = "auto_closed"  # closed by the sweep: the company never confirmed nor rated it
    RECHECK = "recheck"  # a callback found it unsolved; it has been completed again
    SAMPLE = "sample"  # drawn in the sample of the others


def sample_bucket(ticket_id: int) -> int:
    """0–99: a ticket is in the sample when its bucket is below CALLBACK_SAMPLE_PERCENT."""
    return (ticket_id * _MULTIPLIER % _MODULUS) * 100 // _MODULUS


def sample_bucket_sql(column) -> ColumnElement:
    """sample_bucket() as SQL (integer arithmetic, identical on SQLite and PostgreSQL)."""
    multiplier, modulus = literal_column(str(_MULTIPLIER)), literal_column(str(_MODULUS))
    return (column * multiplier % modulus) * literal_column("100") // modulus


def _must_call() -> ColumnElement:
    auto_closed = and_(Ticket.status == Status.CLOSED.value, Ticket.rating.is_(None))
    return or_(auto_closed, Ticket.callback_state == CallbackState.UNSOLVED.value)


def reason_of(ticket: Ticket) -> Reason:
    """The same rule as the queue's ordering, for one loaded ticket."""
    if ticket.callback_state == CallbackState.UNSOLVED:
        return Reason.RECHECK
    if ticket.status == Status.CLOSED and ticket.rating is None:
        return Reason.AUTO_CLOSED
    return Reason.SAMPLE


def queue_query(user: User, now: datetime):
    """SELECT the tickets of `user`'s callback queue, in the order they are to be called."""
    config = current_app.config
    since = now - timedelta(days=int(config["CALLBACK_DAYS"]))
    must = _must_call()
    sampled = sample_bucket_sql(Ticket.id) < int(config["CALLBACK_SAMPLE_PERCENT"])
    return (
        select(Ticket)
        .where(
            supervised_scope(user).clause(Ticket.jurisdiction_id),
            Ticket.status.in_([s.value for s in COMPLETED_STATUSES]),
            Ticket.resolved_at >= since,
            or_(
                Ticket.callback_state.is_(None),
                Ticket.callback_state.in_([CallbackState.UNREACHED.value, CallbackState.UNSOLVED.value]),
            ),
            or_(must, sampled),
        )
        .order_by(case((must, 0), else_=1), Ticket.resolved_at, Ticket.id)
    )


@dataclass
class QueueItem:
    ticket: Ticket
    reason: Reason
    attempts: int  # callbacks so far (unanswered ones: the company was not reached)
    last_attempt_at: datetime | None


@dataclass
class QueuePage:
    items: list[QueueItem]
    page: int
    per_page: int
    total: int

    # What the pages' pagination macro reads (Flask-SQLAlchemy's Pagination has the same names).
    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def callback_queue(user: User, now: datetime, page: int = 1, per_page: int = 20) -> QueuePage:
    """One page of the queue with each ticket's reason and earlier attempts (NotAllowed for non-callers)."""
    check_caller(user)
    query = queue_query(user, now)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    offset = (page - 1) * per_page
    tickets = (
        list(db.session.scalars(with_ticket_details(query).limit(per_page).offset(offset))) if offset < total else []
    )
    attempts: dict[int, tuple[int, datetime]] = {}
    if tickets:
        rows = db.session.execute(
            select(Callback.ticket_id, func.count(), func.max(Callback.created_at))
            .where(Callback.ticket_id.in_([t.id for t in tickets]))
            .group_by(Callback.ticket_id)
        )
        attempts = {ticket_id: (n, last) for ticket_id, n, last in rows}
    items = [
        QueueItem(t, reason_of(t), *attempts.get(t.id, (0, None)))  # type: ignore[arg-type]
        for t in tickets
    ]
    return QueuePage(items, page, per_page, total)


def callbacks_of(user: User, ticket_id: int) -> list[Callback]:
    """A ticket's callbacks, oldest first: for government users who may see it (NotAllowed for enterprise
    users, NotFound for a ticket the user may not see)."""
    if user.role == Role.ENTERPRISE:
        raise NotAllowed(GOVERNMENT_ONLY)
    ticket = load_visible_ticket(user, ticket_id)
    query = select(Callback).where(Callback.ticket_id == ticket.id).order_by(Callback.id)
    return list(db.session.scalars(query.options(selectinload(Callback.caller))))
