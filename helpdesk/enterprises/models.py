"""Enterprises and their pairing with a cadre (包联干部)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from helpdesk.auth.models import User
    from helpdesk.jurisdictions.models import Jurisdiction

SIZES = ("micro", "small", "medium", "large")


class Enterprise(Base):
    """A company; its liaison is the cadre it is paired with."""

    __tablename__ = "enterprises"
    __table_args__ = (
        CheckConstraint("size IS NULL OR size IN ('micro', 'small', 'medium', 'large')", name="size"),
        CheckConstraint("length(credit_code) = 18", name="credit_code_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    industry: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[str | None] = mapped_column(String(10))
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    is_key: Mapped[bool] = mapped_column(Boolean, default=False, index=True)  # 重点企业 (white list)
    liaison_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", use_alter=True), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    jurisdiction: Mapped[Jurisdiction] = relationship()
    liaison: Mapped[User | None] = relationship(foreign_keys=[liaison_id])

    def __repr__(self) -> str:
        return f"<Enterprise {self.id} {self.name}>"
