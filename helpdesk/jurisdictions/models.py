"""Reference data: the jurisdiction tree, departments, issue categories and routing rules."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.db import Base, enum_column


class Level(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


LEVELS_SQL = ", ".join(f"'{level.value}'" for level in Level)


class Jurisdiction(Base):
    """A node of province → city → county (GB/T 2260 code)."""

    __tablename__ = "jurisdictions"
    __table_args__ = (CheckConstraint(f"level IN ({LEVELS_SQL})", name="level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    level: Mapped[Level] = mapped_column(enum_column(Level, 10))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    # The letters before a ticket number (ZK-2024-000123); inherited from the nearest ancestor that has one.
    ticket_prefix: Mapped[str | None] = mapped_column(String(8))

    parent: Mapped[Jurisdiction | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Jurisdiction]] = relationship(back_populates="parent", order_by="Jurisdiction.code")
    departments: Mapped[list[Department]] = relationship(back_populates="jurisdiction", order_by="Department.id")

    def display_name(self, locale: str | None = None) -> str:
        return self.name_en if locale == "en" else self.name

    def __repr__(self) -> str:
        return f"<Jurisdiction {self.code} {self.name}>"


class Department(Base):
    """A government department or public utility at one jurisdiction."""

    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("jurisdiction_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(160))
    # What charts and tight lists call it, without the jurisdiction: 自然资源局 / Natural Resources.
    short_name: Mapped[str] = mapped_column(String(40), default="")
    short_name_en: Mapped[str] = mapped_column(String(60), default="")
    # The jurisdiction's general office: where issues go when no routing rule matches.
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)

    jurisdiction: Mapped[Jurisdiction] = relationship(back_populates="departments")

    def display_name(self, locale: str | None = None) -> str:
        return self.name_en if locale == "en" else self.name

    def short_display_name(self, locale: str | None = None) -> str:
        """The short name in the language (the full name where none was given)."""
        short = self.short_name_en if locale == "en" else self.short_name
        return short or self.display_name(locale)

    def __repr__(self) -> str:
        return f"<Department {self.id} {self.name}>"


class Category(Base):
    """What an issue is about, with its response and resolution limits in working days."""

    __tablename__ = "categories"
    __table_args__ = (
        CheckConstraint("response_days >= 0 AND response_days <= 30", name="response_days"),
        CheckConstraint("resolution_days >= 1 AND resolution_days <= 60", name="resolution_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(80))
    help: Mapped[str] = mapped_column(Text, default="")
    help_en: Mapped[str] = mapped_column(Text, default="")
    response_days: Mapped[int] = mapped_column(Integer, default=1)
    resolution_days: Mapped[int] = mapped_column(Integer, default=7)
    position: Mapped[int] = mapped_column(Integer, default=0)

    def display_name(self, locale: str | None = None) -> str:
        return self.name_en if locale == "en" else self.name


class RoutingRule(Base):
    """(category, jurisdiction) → the department that handles it there."""

    __tablename__ = "routing_rules"
    __table_args__ = (UniqueConstraint("category_id", "jurisdiction_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)

    category: Mapped[Category] = relationship()
    jurisdiction: Mapped[Jurisdiction] = relationship()
    department: Mapped[Department] = relationship()
