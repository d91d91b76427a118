"""The similarity index in the database (docs/SIMILARITY.md "Storage design"): each ticket's weighted terms,
the terms' document frequencies, and each ticket's best neighbours (the edges candidate groups are built from)."""

from __future__ import annotations

from sqlalchemy import REAL, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.common_issues.similarity import MAX_TERM_LENGTH
from helpdesk.db import Base

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
