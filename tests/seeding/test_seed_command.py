"""`flask seed` loads the reference data of seeds/ and is idempotent."""

import json

from sqlalchemy import func, select

from helpdesk.jurisdictions.models import Category, Department, Jurisdiction, RoutingRule
from helpdesk.seeding.reference import SEEDS


def _counts(db):
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Jurisdiction, Department, Category, RoutingRule)
    )


def test_a_second_seed_changes_nothing(app, db):
    before = _counts(db)
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "already up to date" in result.output
    files = ("jurisdictions", "departments", "categories", "routing_rules")
    assert _counts(db) == before == tuple(len(json.loads((SEEDS / f"{name}.json").read_text())) for name in files)


def test_seed_restores_a_changed_deadline_and_reports_it(app, db):
    land = db.session.scalar(select(Category).where(Category.code == "land"))
    land.resolution_days = 30
    db.session.flush()
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "1 categories updated" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(Category.resolution_days).where(Category.code == "land")) == 15
