"""Backups (issue 17 §8): `flask backup` then `flask restore` into a fresh database gives back the same report
figures, every ticket's event log and the attachments; a restore refuses a database that is not empty and an
archive that does not match its manifest. Runs on the suite's kind of database (SQLite file or PostgreSQL)."""

from __future__ import annotations

import json
import tarfile
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from helpdesk import create_app
from helpdesk.extensions import db as _db
from tests.test_migrations import (
    DATABASE_URL,
    IS_SQLITE,
    keep_logging,  # noqa: F401 - a fixture
)

pytestmark = pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")


@pytest.fixture()
def new_database(tmp_path):
    """new_database() → the URL of a new, empty database of the suite's kind (dropped afterwards)."""
    made = []
    server = make_url(DATABASE_URL)
    admin = None if IS_SQLITE else create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def make() -> str:
        if IS_SQLITE:
            return f"sqlite:///{tmp_path / f'db-{len(made)}-{uuid.uuid4().hex[:6]}.db'}"
        name = f"helpdesk_backup_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        made.append(name)
        return server.set(database=name).render_as_string(hide_password=False)

    yield make
    if admin is not None:
        with admin.connect() as conn:
            for name in made:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def app_on(url: str, uploads: Path):
    uploads.mkdir(parents=True, exist_ok=True)
    return create_app("testing", SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS={}, UPLOAD_FOLDER=str(uploads))


def snapshot() -> dict:
    """What must survive: the report figures of every grouping, each ticket's event log, the attachments."""
    from helpdesk.auth.models import Role, User
    from helpdesk.reports.services import resolution_report
    from helpdesk.tickets.models import Attachment, Ticket, TicketEvent

    admin = _db.session.scalar(select(User).where(User.role == Role.ADMIN).order_by(User.id))
    as_of = _db.session.scalar(select(TicketEvent.created_at).order_by(TicketEvent.created_at.desc())) + timedelta(
        days=1
    )
    reports = {
        group: resolution_report(admin, group_by=group, as_of=as_of).as_dict()
        for group in ("jurisdiction", "department", "category", "month")
    }
    events = {
        t.number: [
            (e.action, e.from_status, e.to_status, e.note, e.actor_id, e.internal, e.created_at.isoformat())
            for e in _db.session.scalars(
                select(TicketEvent).where(TicketEvent.ticket_id == t.id).order_by(TicketEvent.id)
            )
        ]
        for t in _db.session.scalars(select(Ticket).order_by(Ticket.id))
    }
    files = {a.stored_name: a.sha256 for a in _db.session.scalars(select(Attachment))}
    return {"reports": json.loads(json.dumps(reports, default=str)), "events": events, "files": files}


def build_world():
    """Reference data, people and tickets in every state, through the real workflow, and one attachment."""
    import io

    from werkzeug.datastructures import FileStorage

    from helpdesk.attachments.services import store_attachment
    from helpdesk.seeding.reference import load_reference_data
    from tests import factories as f
    from tests.pages.conftest import PNG

    load_reference_data()
    world = f.World()
    tickets = [
        world.ticket(status)
        for status in ("assigned", "in_progress", "awaiting_enterprise", "resolved", "closed", "withdrawn")
    ]
    store_attachment(world.owner, tickets[0], FileStorage(io.BytesIO(PNG), filename="红线图.png"))
    _db.session.commit()
    return tickets


def test_a_backup_restored_into_a_fresh_database_gives_the_same_figures_events_and_files(
    tmp_path,
    new_database,
    keep_logging,  # noqa: F811 - the fixture
):
    source_url, target_url = new_database(), new_database()
    archive = tmp_path / "backups" / "helpdesk.tar.gz"
    source = app_on(source_url, tmp_path / "uploads-a")
    with source.app_context():
        upgrade()
        build_world()
        before = snapshot()
        result = source.test_cli_runner().invoke(args=["backup", str(archive)])
        assert result.exit_code == 0, result.output
        assert "Backed up" in result.output
        _db.session.remove()
        _db.engine.dispose()
    assert before["events"] and len(before["files"]) == 1

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = tar.getnames()
    assert names[0] == "manifest.json"
    assert manifest["revision"] == _head_revision() and manifest["dialect"] == ("sqlite" if IS_SQLITE else "postgresql")
    assert manifest["counts"]["tickets"] == 6 and manifest["counts"]["ticket_events"] > 6
    assert set(manifest["files"]) == set(names[1:])

    target = app_on(target_url, tmp_path / "uploads-b")
    with target.app_context():
        checked = target.test_cli_runner().invoke(args=["restore", "--check", str(archive)])
        assert checked.exit_code == 0 and "Verified" in checked.output
        restored = target.test_cli_runner().invoke(args=["restore", str(archive)])
        assert restored.exit_code == 0, restored.output
        after = snapshot()
        _db.session.remove()
        _db.engine.dispose()
    assert after == before
    (stored,) = before["files"]
    assert (tmp_path / "uploads-b" / stored).read_bytes() == (tmp_path / "uploads-a" / stored).read_bytes()


def test_restore_refuses_a_database_that_is_not_empty_and_an_altered_archive(tmp_path, new_database, keep_logging):  # noqa: F811 - the fixture
    url = new_database()
    archive = tmp_path / "b.tar.gz"
    app = app_on(url, tmp_path / "uploads")
    with app.app_context():
        upgrade()
        runner = app.test_cli_runner()
        assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
        refused = runner.invoke(args=["restore", str(archive)])
        assert refused.exit_code != 0 and "not empty" in refused.output
        _db.session.remove()
        _db.engine.dispose()

    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("database."):
                data = data[:-1] + bytes([data[-1] ^ 1])
            member.size = len(data)
            import io

            target.addfile(member, io.BytesIO(data))
    fresh = app_on(new_database(), tmp_path / "uploads-2")
    with fresh.app_context():
        result = fresh.test_cli_runner().invoke(args=["restore", str(tampered)])
        assert result.exit_code != 0 and "does not match its manifest" in result.output
        from sqlalchemy import inspect

        assert inspect(_db.engine).get_table_names() == []  # nothing was touched
        _db.engine.dispose()


def _head_revision() -> str:
    """The newest migration: the schema a backup of an up-to-date database records."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from helpdesk.config import ROOT

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()
