"""A callback (回访): one call to a company to check that its completed ticket is really solved."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.db import Base, UTCDateTime, enum_column, utcnow
from helpdesk.tickets.models import Rating, Ticket

if TYPE_CHECKING:
    from helpdesk.auth.models import User

RATINGS_SQL = ", ".join(f"'{r.value}'" for r in Rating)


class Callback(Base):
    """One call: was the company reached, is the problem really solved (真解决), its rating, a note.

    A ticket may have several (an unanswered attempt, then one that reached the company); each is also
    an internal `callback` event of the ticket, written in the same transaction.
    """

    __tablename__ = "callbacks"
    __table_args__ = (
        CheckConstraint(f"rating IS NULL OR rating IN ({RATINGS_SQL})", name="rating"),
        # Nobody answered: nothing was said about the problem or the service.
        CheckConstraint("reached OR (solved IS NULL AND rating IS NULL)", name="unreached_says_nothing"),
        CheckConstraint("NOT reached OR solved IS NOT NULL", name="reached_says_solved"),
        Index("ix_callbacks_ticket_id_id", "ticket_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    caller_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    reached: Mapped[bool] = mapped_column(Boolean)
    solved: Mapped[bool | None] = mapped_column(Boolean)
    rating: Mapped[Rating | None] = mapped_column(enum_column(Rating, 24))
    note: Mapped[str | None] = mapped_column(Text)

    ticket: Mapped[Ticket] = relationship()
    caller: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Callback {self.id} ticket {self.ticket_id} reached={self.reached} solved={self.solved}>"
