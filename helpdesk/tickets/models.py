"""Tickets, their append-only event log, comments, attachments and co-handling departments."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    case,
    event,
    literal,
    or_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.db import Base, UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from helpdesk.auth.models import User
    from helpdesk.common_issues.models import CommonIssue
    from helpdesk.enterprises.models import Enterprise
    from helpdesk.jurisdictions.models import Category, Department, Jurisdiction


class Status(StrEnum):
    SUBMITTED = "submitted"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    AWAITING_ENTERPRISE = "awaiting_enterprise"
    RESOLVED = "resolved"  # 办结
    CLOSED = "closed"  # 销号
    WITHDRAWN = "withdrawn"
    DECLINED = "declined"


OPEN_STATUSES = frozenset({Status.SUBMITTED, Status.ASSIGNED, Status.IN_PROGRESS, Status.AWAITING_ENTERPRISE})
# Statuses whose deadline clock runs (awaiting_enterprise stops it).
CLOCKED_STATUSES = frozenset({Status.SUBMITTED, Status.ASSIGNED, Status.IN_PROGRESS})
COMPLETED_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})


class Colour(StrEnum):
    """The three-colour warning (§5), plus green."""

    GREEN = "green"
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"


# The one order of the colours: worst first (workbench queues, boards, badges, exports).
WORST_FIRST = (Colour.RED, Colour.ORANGE, Colour.YELLOW, Colour.GREEN)
WARNING_RANK = {None: 0, **{colour: len(WORST_FIRST) - i for i, colour in enumerate(WORST_FIRST)}}


class Rating(StrEnum):
    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意


class CallbackState(StrEnum):
    """What the callbacks (回访) of a completed ticket found, kept on the ticket for the reports."""

    UNREACHED = "unreached"  # called, nobody answered yet
    SOLVED = "solved"  # reached: really solved (真解决)
    UNSOLVED = "unsolved"  # reached: not solved, so it was reopened


class Priority(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


def _in(values) -> str:
    return ", ".join(f"'{v.value}'" for v in values)


# The columns a resolution-rate report reads, carried by its two indexes for index-only scans on PostgreSQL
# (ix_tickets_report, migration 0002; ix_tickets_unanswered, migration 0011).
REPORT_COLUMNS = [
    "status",
    "rating",
    "department_id",
    "assignee_id",
    "category_id",
    "response_due_at",
    "first_response_at",
    "due_at",
    "resolved_at",
    "callback_state",
]


class Ticket(Base):
    """One feedback issue (诉求) with its routing and the deadline thresholds of PRODUCT.md §5."""

    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(Status)})", name="status"),
        CheckConstraint(f"priority IN ({_in(Priority)})", name="priority"),
        CheckConstraint(f"rating IS NULL OR rating IN ({_in(Rating)})", name="rating"),
        CheckConstraint(f"callback_state IS NULL OR callback_state IN ({_in(CallbackState)})", name="callback_state"),
        CheckConstraint("reopen_count >= 0 AND urge_count >= 0 AND version >= 1", name="counters"),
        CheckConstraint(
            "status NOT IN ('resolved', 'closed') OR resolved_at IS NOT NULL", name="completed_has_resolved_at"
        ),
        UniqueConstraint("number_prefix", "number_year", "number_seq"),
        Index("ix_tickets_status_assignee", "status", "assignee_id"),
        # A county's ticket ids by an index-only scan: the similar lookup's visibility join (migration 0009).
        Index("ix_tickets_jurisdiction_ticket", "jurisdiction_id", "id"),
        # The resolution-rate report of a county or city and period, index-only on PostgreSQL (migration 0002).
        Index(
            "ix_tickets_report",
            "jurisdiction_id",
            "created_at",
            postgresql_include=REPORT_COLUMNS,
        ),
        # Open tickets only: the colours of reports, lists filtered by colour, their totals (migration 0002).
        Index(
            "ix_tickets_open",
            "created_at",
            postgresql_include=[
                "jurisdiction_id",
                "status",
                "department_id",
                "assignee_id",
                "category_id",
                "response_due_at",
                "first_response_at",
                "yellow_from",
                "due_at",
                "red_from",
                "reopen_count",
                "id",  # the oldest red tickets by an index-only scan (migration 0006)
            ],
            postgresql_where=text("status IN ('submitted', 'assigned', 'in_progress', 'awaiting_enterprise')"),
            sqlite_where=text("status IN ('submitted', 'assigned', 'in_progress', 'awaiting_enterprise')"),
        ),
        # Unanswered tickets: the part of a report that helpdesk/reports/rollup.py does not count (migration 0011).
        Index(
            "ix_tickets_unanswered",
            "jurisdiction_id",
            "created_at",
            postgresql_include=REPORT_COLUMNS,  # first_response_at is NULL there, but a report reads it
            postgresql_where=text("first_response_at IS NULL"),
            sqlite_where=text("first_response_at IS NULL"),
        ),
        # The tickets the similarity index has not taken in yet: a few rows, whatever the size of the table.
        Index(
            "ix_tickets_unindexed",
            "id",
            postgresql_where=text("similarity_indexed_at IS NULL"),
            sqlite_where=text("similarity_indexed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    number_prefix: Mapped[str] = mapped_column(String(8))
    number_year: Mapped[int] = mapped_column(Integer)
    number_seq: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    priority: Mapped[Priority] = mapped_column(enum_column(Priority, 10), default=Priority.NORMAL)
    status: Mapped[Status] = mapped_column(enum_column(Status, 24), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    # The enterprise's county, fixed at filing: reports and supervisors' visibility follow it.
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"))
    # Where the ticket is handled now: moves up on escalation (上报).
    handling_jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    liaison_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Deadline thresholds (§5), stored so that the colour is a plain comparison with now in SQL.
    response_due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    yellow_from: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # 00:00 local of the due day
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # 23:59:59 local of the due day
    red_from: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # overdue by RED_AFTER_DAYS working days
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the enterprise was asked (clock stopped)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rating: Mapped[Rating | None] = mapped_column(enum_column(Rating, 24))
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    urge_count: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The routing decision as data (tickets/routing.py): rule, department, cadre and why; put into words in
    # the reader's language by routing.describe(). routing_reason is the English sentence of tickets routed
    # before migration 0005, shown as recorded when `routing` is null.
    routing: Mapped[dict | None] = mapped_column(JSON)
    routing_reason: Mapped[str] = mapped_column(Text, default="")
    # What the callbacks found (callbacks/services.py keeps it), so that reports need no join.
    callback_state: Mapped[CallbackState | None] = mapped_column(enum_column(CallbackState, 10))
    # The worst colour already notified, so that the sweep tells each change once.
    notified_warning: Mapped[Colour | None] = mapped_column(enum_column(Colour, 10))
    # When the similarity index (common_issues/indexing.py) took the ticket's text in; null: not yet. The
    # worker indexes tickets in the background, so filing writes nothing more (ix_tickets_unindexed).
    similarity_indexed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The common issue (共性问题) it is handled in, if any (common_issues/services.py links and unlinks).
    common_issue_id: Mapped[int | None] = mapped_column(ForeignKey("common_issues.id"), index=True)

    # Optimistic locking: every UPDATE says "WHERE version = <the one loaded>"; a concurrent change
    # makes it match no row, and the second writer gets a conflict instead of overwriting.
    __mapper_args__ = {"version_id_col": version}

    category: Mapped[Category] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    jurisdiction: Mapped[Jurisdiction] = relationship(foreign_keys=[jurisdiction_id])
    handling_jurisdiction: Mapped[Jurisdiction] = relationship(foreign_keys=[handling_jurisdiction_id])
    department: Mapped[Department | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    liaison: Mapped[User | None] = relationship(foreign_keys=[liaison_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", passive_deletes="all"
    )
    cohandlers: Mapped[list[TicketCohandler]] = relationship(back_populates="ticket", cascade="all, delete-orphan")
    common_issue: Mapped[CommonIssue | None] = relationship(back_populates="tickets", foreign_keys=[common_issue_id])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def handling_level(self) -> str:
        return self.handling_jurisdiction.level

    def warning_at(self, now: datetime) -> Colour | None:
        """The three-colour warning (§5) at `now`; None when the clock is not running."""
        if self.status not in CLOCKED_STATUSES:
            return None
        if now >= self.red_from or self.reopen_count >= 2:
            return Colour.RED
        if now > self.due_at:
            return Colour.ORANGE
        late_response = (self.first_response_at is None and now > self.response_due_at) or (
            self.first_response_at is not None and self.first_response_at > self.response_due_at
        )
        if now >= self.yellow_from or late_response:
            return Colour.YELLOW
        return Colour.GREEN

    @classmethod
    def warning_sql(cls, now: datetime) -> ColumnElement:
        """The same rule as warning_at() as one SQL expression, for filters and counts."""
        now_ = literal(now, UTCDateTime)
        return case(
            (cls.status.not_in([s.value for s in CLOCKED_STATUSES]), None),
            (or_(cls.red_from <= now_, cls.reopen_count >= 2), Colour.RED.value),
            (cls.due_at < now_, Colour.ORANGE.value),
            (
                or_(
                    cls.yellow_from <= now_,
                    and_(cls.first_response_at.is_(None), cls.response_due_at < now_),
                    and_(cls.first_response_at.is_not(None), cls.first_response_at > cls.response_due_at),
                ),
                Colour.YELLOW.value,
            ),
            else_=Colour.GREEN.value,
        )

    @classmethod
    def colour_rank_sql(cls, now: datetime) -> ColumnElement:
        """0 for red, 1 orange, 2 yellow, 3 green, 4 without a colour: the order of the queues."""
        warning = cls.warning_sql(now)
        return case(*[(warning == c.value, i) for i, c in enumerate(WORST_FIRST)], else_=len(WORST_FIRST))

    @classmethod
    def warning_filter(cls, colour: str, now: datetime) -> ColumnElement:
        """A WHERE clause selecting the tickets of one colour, written so that indexes can serve it."""
        now_ = now if isinstance(now, ColumnElement) else literal(now, UTCDateTime)  # a value or a parameter
        clocked = cls.status.in_([s.value for s in CLOCKED_STATUSES])
        red = or_(cls.red_from <= now_, cls.reopen_count >= 2)
        orange = cls.due_at < now_
        yellow = or_(
            cls.yellow_from <= now_,
            and_(cls.first_response_at.is_(None), cls.response_due_at < now_),
            and_(cls.first_response_at.is_not(None), cls.first_response_at > cls.response_due_at),
        )
        if colour == Colour.RED:
            return and_(clocked, red)
        if colour == Colour.ORANGE:
            return and_(clocked, ~red, orange)
        if colour == Colour.YELLOW:
            return and_(clocked, ~red, ~orange, yellow)
        return and_(clocked, ~red, ~orange, ~yellow)

    def __repr__(self) -> str:
        return f"<Ticket {self.number} {self.status}>"


class TicketSequence(Base):
    """The last number handed out per (prefix, year): ticket numbers are gapless."""

    __tablename__ = "ticket_sequences"

    prefix: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class TicketEvent(Base):
    """One step of a ticket's history. Append-only: never updated, never deleted."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket_id_id", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(30), index=True)
    from_status: Mapped[Status | None] = mapped_column(enum_column(Status, 24))
    to_status: Mapped[Status] = mapped_column(enum_column(Status, 24))
    note: Mapped[str | None] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    ticket: Mapped[Ticket] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class ImmutableEventError(RuntimeError):
    """Raised when code tries to change or delete a ticket event."""


@event.listens_for(TicketEvent, "before_update")
def _refuse_event_update(mapper, connection, target):  # pragma: no cover - exercised by tests
    raise ImmutableEventError("ticket events are append-only")


@event.listens_for(TicketEvent, "before_delete")
def _refuse_event_delete(mapper, connection, target):
    raise ImmutableEventError("ticket events are append-only")


class TicketCohandler(Base):
    """A co-handling department (协办): its cadres see the ticket and add notes."""

    __tablename__ = "ticket_cohandlers"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), primary_key=True, index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="cohandlers")
    department: Mapped[Department] = relationship()


class Comment(Base):
    """A comment on a ticket: public, or internal to government users."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


class Attachment(Base):
    """A file attached to a ticket, stored outside static under a random name."""

    __tablename__ = "attachments"
    __table_args__ = (CheckConstraint("size >= 0", name="size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploader: Mapped[User | None] = relationship()
