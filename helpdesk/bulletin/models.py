"""Which monthly bulletins have been sent: one row per (jurisdiction, month), so none goes out twice."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.db import Base, UTCDateTime, utcnow


class BulletinRun(Base):
    """The scheduled sending of one jurisdiction's bulletin of one month (claimed once, by one worker)."""

    __tablename__ = "bulletin_runs"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"))
    month: Mapped[date] = mapped_column(Date)  # the first day of the month the bulletin is about
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
