"""The API served for real on a loopback port, for tests that talk HTTP to it as an outside client does.

A werkzeug server thread (like tests/browser/conftest.py) over a database of its own, committed for
real: a temporary SQLite file, or a scratch PostgreSQL database when TEST_DATABASE_URL names one
(tests/reliability/harness.py). It holds the reference data, the people of `tests.factories.World`,
one ticket in progress with an attachment, and a bearer token for each person.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from werkzeug.datastructures import FileStorage
from werkzeug.serving import WSGIRequestHandler, make_server

PEOPLE = ("owner", "liaison", "colleague", "supervisor", "admin")


@dataclass
class LiveApi:
    base: str  # http://127.0.0.1:<port>
    app: object
    tokens: dict[str, str]  # person → raw bearer token
    ids: dict[str, int]  # person, "company", "ticket", "attachment", "hrss" → id

    def headers(self, person: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[person]}"}


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@contextmanager
def _database(folder: Path) -> Iterator[str]:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url.startswith("postgresql"):
        from tests.reliability.harness import scratch_database

        with scratch_database(url) as scratch:
            yield scratch
    else:
        yield f"sqlite:///{folder / 'live.db'}"


def _prepare(app) -> tuple[dict[str, str], dict[str, int]]:
    from helpdesk.attachments.services import store_attachment
    from helpdesk.auth.services import issue_token
    from helpdesk.extensions import db
    from helpdesk.seeding.reference import load_reference_data
    from tests import factories

    with app.app_context():
        db.create_all()
        load_reference_data()
        world = factories.World()
        ticket = world.ticket("in_progress")
        pdf = FileStorage(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), filename="x.pdf")
        attachment = store_attachment(world.liaison, ticket, pdf)
        tokens = {person: issue_token(getattr(world, person))[0] for person in PEOPLE}
        ids = {person: getattr(world, person).id for person in PEOPLE}
        ids |= {"company": world.company.id, "ticket": ticket.id, "attachment": attachment.id, "hrss": world.hrss.id}
        db.session.commit()
        db.session.remove()
    return tokens, ids


@contextmanager
def live_api(folder: Path) -> Iterator[LiveApi]:
    """The app on 127.0.0.1 at a free port over its own prepared database; stopped and dropped afterwards."""
    from helpdesk import create_app
    from helpdesk.extensions import db

    with _database(folder) as url:
        app = create_app(
            "testing",
            SQLALCHEMY_DATABASE_URI=url,
            SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True} if url.startswith("postgresql") else {},
            UPLOAD_FOLDER=str(folder / "uploads"),
            NOTIFY_BY_EMAIL=False,
        )
        tokens, ids = _prepare(app)
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield LiveApi(f"http://127.0.0.1:{server.server_port}", app, tokens, ids)
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
            with app.app_context():
                db.engine.dispose()
