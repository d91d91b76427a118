"""Load the reference data files of seeds/ (idempotent: a second run changes nothing)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from helpdesk.config import ROOT
from helpdesk.extensions import db
from helpdesk.jurisdictions.models import Category, Department, Jurisdiction, RoutingRule

SEEDS = ROOT / "seeds"


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, what: str) -> None:
        bucket = self.created if kind == "created" else self.updated
        bucket[what] = bucket.get(what, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        if not self.changed:
            return "reference data already up to date"
        parts = [f"{n} {what} created" for what, n in sorted(self.created.items())]
        parts += [f"{n} {what} updated" for what, n in sorted(self.updated.items())]
        return ", ".join(parts)


def _read(name: str, folder: Path) -> list[dict]:
    return json.loads((folder / name).read_text(encoding="utf-8"))


def _upsert(report: SeedReport, what: str, existing, model, values: dict):
    """Create the row, or update the fields that differ; counts what changed."""
    if existing is None:
        obj = model(**values)
        db.session.add(obj)
        db.session.flush()
        report.count("created", what)
        return obj
    changed = False
    for key, value in values.items():
        if getattr(existing, key) != value:
            setattr(existing, key, value)
            changed = True
    if changed:
        report.count("updated", what)
    return existing


def load_reference_data(folder: Path = SEEDS) -> SeedReport:
    """Jurisdictions, departments, categories and routing rules from JSON (flushes, never commits)."""
    report = SeedReport()
    by_code: dict[str, Jurisdiction] = {j.code: j for j in db.session.scalars(select(Jurisdiction))}
    for row in _read("jurisdictions.json", folder):
        parent = by_code[row["parent_code"]] if row.get("parent_code") else None
        values = {
            "code": row["code"],
            "name": row["name"],
            "name_en": row["name_en"],
            "level": row["level"],
            "parent_id": parent.id if parent else None,
            "ticket_prefix": row.get("ticket_prefix"),
        }
        by_code[row["code"]] = _upsert(report, "jurisdictions", by_code.get(row["code"]), Jurisdiction, values)

    departments = {(d.jurisdiction_id, d.code): d for d in db.session.scalars(select(Department))}
    for row in _read("departments.json", folder):
        jurisdiction = by_code[row["jurisdiction_code"]]
        key = (jurisdiction.id, row["code"])
        values = {
            "jurisdiction_id": jurisdiction.id,
            "code": row["code"],
            "name": row["name"],
            "name_en": row["name_en"],
            "short_name": row.get("short_name", ""),
            "short_name_en": row.get("short_name_en", ""),
            "is_default": bool(row.get("is_default")),
        }
        departments[key] = _upsert(report, "departments", departments.get(key), Department, values)

    categories = {c.code: c for c in db.session.scalars(select(Category))}
    for position, row in enumerate(_read("categories.json", folder)):
        values = {
            "code": row["code"],
            "name": row["name"],
            "name_en": row["name_en"],
            "help": row.get("help", ""),
            "help_en": row.get("help_en", ""),
            "response_days": row["response_days"],
            "resolution_days": row["resolution_days"],
            "position": position,
        }
        categories[row["code"]] = _upsert(report, "categories", categories.get(row["code"]), Category, values)

    rules = {(r.category_id, r.jurisdiction_id): r for r in db.session.scalars(select(RoutingRule))}
    for row in _read("routing_rules.json", folder):
        category = categories[row["category"]]
        jurisdiction = by_code[row["jurisdiction_code"]]
        department = departments[(jurisdiction.id, row["department_code"])]
        key = (category.id, jurisdiction.id)
        values = {"category_id": category.id, "jurisdiction_id": jurisdiction.id, "department_id": department.id}
        _upsert(report, "routing rules", rules.get(key), RoutingRule, values)
    return report
