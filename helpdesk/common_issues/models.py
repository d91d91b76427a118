"""Common issues (共性问题) and the similarity index in the database (docs/SIMILARITY.md "Storage design"):
a common issue with its history, each ticket's weighted terms, the terms' document frequencies, and each
ticket's best neighbours (the edges candidate groups are built from)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, REAL, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.common_issues.similarity import MAX_TERM_LENGTH
from helpdesk.db import Base, UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from helpdesk.auth.models import User
    from helpdesk.jurisdictions.models import Category, Department, Jurisdiction
    from helpdesk.tickets.models import Ticket


class IssueStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class CommonIssue(Base):
    """One problem filed by several enterprises, handled once by a lead department (牵头单位).

    Owned by a jurisdiction (its supervisors manage it); its tickets point at it (tickets.common_issue_id).
    """

    __tablename__ = "common_issues"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'resolved')", name="status"),
        CheckConstraint("status = 'open' OR resolved_at IS NOT NULL", name="resolved_has_resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    lead_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    status: Mapped[IssueStatus] = mapped_column(enum_column(IssueStatus, 10), default=IssueStatus.OPEN, index=True)
    resolution_note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    category: Mapped[Category | None] = relationship()
    jurisdiction: Mapped[Jurisdiction] = relationship()
    lead_department: Mapped[Department] = relationship()
    created_by: Mapped[User | None] = relationship()
    tickets: Mapped[list[Ticket]] = relationship(
        back_populates="common_issue", order_by="Ticket.id", foreign_keys="Ticket.common_issue_id"
    )

    @property
    def is_open(self) -> bool:
        return self.status == IssueStatus.OPEN

    def __repr__(self) -> str:
        return f"<CommonIssue {self.id} {self.status}>"


class CommonIssueEvent(Base):
    """One change of a common issue (created, updated, ticket added / removed / left on reopening, resolved).
    Append-only, like ticket events; each change of a ticket also writes the ticket's own event."""

    __tablename__ = "common_issue_events"
    __table_args__ = (Index("ix_common_issue_events_issue_id_id", "common_issue_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    common_issue_id: Mapped[int] = mapped_column(ForeignKey("common_issues.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(30))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


# term_stats' row under this term (never a real term: terms are never empty) counts the indexed tickets, N of
# the idf: the lookup reads it in the same statement as the query's df.
N_DOCS_TERM = ""


class TicketTerm(Base):
    """One posting: a term of a ticket's unit vector (≤ TOP_TERMS a ticket) and its weight."""

    __tablename__ = "ticket_terms"
    __table_args__ = (Index("ix_ticket_terms_term", "term", "ticket_id", "weight"),)

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    term: Mapped[str] = mapped_column(String(MAX_TERM_LENGTH), primary_key=True)
    weight: Mapped[float] = mapped_column(REAL)


class TermStat(Base):
    """How many indexed tickets hold a term (df); the row of N_DOCS_TERM holds N."""

    __tablename__ = "term_stats"

    term: Mapped[str] = mapped_column(String(MAX_TERM_LENGTH), primary_key=True)
    df: Mapped[int] = mapped_column(Integer)


class TicketNeighbour(Base):
    """An edge of the similarity graph: `other_id` is among the ≤ NEIGHBOURS best matches of `ticket_id`
    (score ≥ grouping.GROUP_THRESHOLD) when `ticket_id` was indexed."""

    __tablename__ = "ticket_neighbours"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    other_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True, index=True)
    score: Mapped[float] = mapped_column(REAL)
