"""The lock row of each periodic job: who runs it, and until when nobody else may."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.db import Base, UTCDateTime


class JobLock(Base):
    """A periodic job's schedule and lock: a worker runs the job only after winning the row (see jobs.py)."""

    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(100))  # host:pid of the last worker that took it
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # nobody else starts it before
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
