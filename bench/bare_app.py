"""The floor of issue 13: bare Flask + SQLAlchemy Core on the same database as ours, served and loaded as ours.

    DATABASE_URL=sqlite:///bench/out/helpdesk_bench_100k.db gunicorn --workers 2 'bench.bare_app:from_env()'

Three endpoints, each the least a web app can do for the request it stands beside:
  GET  /floor/pk/<id>     one ticket row by primary key → JSON of its columns (beside GET /api/v1/tickets/{id});
  GET  /floor/rows?n=25   the n newest ticket rows by id → JSON list (beside GET /api/v1/tickets?per_page=25);
  POST /floor/insert      one row into bench_floor_inserts, committed → 201 JSON (beside POST /api/v1/tickets).
No ORM session, no schema library, no login: a pooled connection, one statement, json. SQLite
connections get the pragmas of FLOOR_SQLITE_PRAGMAS ("journal_mode=wal,synchronous=normal,
busy_timeout=10000"), which bench.run reads from ours so that both sides run with the same ones.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

from flask import Flask, abort, jsonify, request
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    exc,
    insert,
    inspect,
    select,
)

SCRATCH_TABLE = "bench_floor_inserts"
MAX_ROWS = 100


def parse_pragmas(spec: str) -> list[tuple[str, str]]:
    """ "journal_mode=wal,synchronous=normal" → [("journal_mode", "wal"), ("synchronous", "normal")]."""
    pairs = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, value = item.partition("=")
        if not (name.isidentifier() and value.replace("-", "").isalnum()):
            raise ValueError(f"not a pragma: {item!r}")
        pairs.append((name.lower(), value))
    return pairs


def make_engine(url: str, pragmas: str = ""):
    """An engine on `url`; on SQLite every new connection first runs the given pragmas."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite" and pragmas:
        statements = [f"PRAGMA {name}={value}" for name, value in parse_pragmas(pragmas)]

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, connection_record):
            cursor = dbapi_connection.cursor()
            for statement in statements:
                cursor.execute(statement)
            cursor.close()

    return engine


def _json(value):
    return value.isoformat() if isinstance(value, date | datetime) else value


def create_floor_app(url: str, pragmas: str = "") -> Flask:
    engine = make_engine(url, pragmas)
    metadata = MetaData()
    tickets = Table("tickets", metadata, autoload_with=engine)
    scratch = Table(
        SCRATCH_TABLE,
        metadata,
        Column("id", Integer, primary_key=True),
        Column("title", String(200), nullable=False),
        Column("description", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    try:
        scratch.create(engine, checkfirst=True)
    except exc.DBAPIError:  # the other worker created it at the same moment
        if not inspect(engine).has_table(SCRATCH_TABLE):
            raise
    app = Flask(__name__)

    @app.get("/healthz")
    def healthz():
        return jsonify({"status": "ok"})

    @app.get("/floor/pk/<int:ticket_id>")
    def pk(ticket_id: int):
        with engine.connect() as conn:
            row = conn.execute(select(tickets).where(tickets.c.id == ticket_id)).mappings().first()
        if row is None:
            abort(404)
        return jsonify({key: _json(value) for key, value in row.items()})

    @app.get("/floor/rows")
    def rows():
        n = min(max(request.args.get("n", 25, type=int), 1), MAX_ROWS)
        with engine.connect() as conn:
            result = conn.execute(select(tickets).order_by(tickets.c.id.desc()).limit(n)).mappings().all()
        return jsonify([{key: _json(value) for key, value in row.items()} for row in result])

    @app.post("/floor/insert")
    def insert_row():
        body = request.get_json(silent=True) or {}
        values = {
            "title": str(body.get("title", ""))[:200],
            "description": str(body.get("description", "")),
            "created_at": datetime.now(UTC),
        }
        with engine.begin() as conn:
            new_id = conn.execute(insert(scratch).values(values)).inserted_primary_key[0]
        return jsonify({"id": new_id, **{key: _json(value) for key, value in values.items()}}), 201

    return app


def from_env() -> Flask:
    """The factory gunicorn calls (`bench.bare_app:from_env()`): DATABASE_URL and FLOOR_SQLITE_PRAGMAS."""
    return create_floor_app(os.environ["DATABASE_URL"], os.environ.get("FLOOR_SQLITE_PRAGMAS", ""))
