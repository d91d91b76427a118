"""Reference tables kept across requests: jurisdictions, categories, holiday overrides and group robots (issue 13).

Every filing read these four small tables, and an admin changes them a few times a year. A process keeps what a
request read, per thread and database, beside the stamp of `reference_stamp`: one row whose value a trigger on each
of the four tables replaces with a random number in the same transaction as the change (the ORM, bulk statements,
raw SQL, another process, the sqlite3 shell alike). A random value, not a counter: a change that rolls back leaves
the old stamp, and no later change can come back to the stamp of what the rolled-back transaction saw.

A request reads the stamp once: with the API's token (auth/services.py find_token), else as a column of the first
of these reads (a cold read costs no statement more than before), or alone when what is kept is still good. Kept ORM objects go into the
request's session as if it had loaded them (its identity map takes the same objects, without a copy), so lazy
loads find them and relationships may point at them. Objects that a commit or rollback expired, that were changed
in memory, or whose identity the session already holds under another object are not reused: the table is read
again, as before. Outside a request (a command, the worker) nothing is kept.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import g, has_request_context
from sqlalchemy import DDL, BigInteger, Integer, event, select, true
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.attributes import instance_state

from helpdesk.db import Base
from helpdesk.extensions import db

TABLE = "reference_stamp"
TABLES = ("jurisdictions", "categories", "holiday_overrides", "robots")


class ReferenceStamp(Base):
    __tablename__ = TABLE

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    stamp: Mapped[int] = mapped_column(BigInteger)


def new_stamp() -> int:
    return random.randint(-(2**62), 2**62)


def initial_row_sql() -> str:
    return f"INSERT INTO {TABLE} (id, stamp) VALUES (1, {new_stamp()})"


def trigger_sql(dialect: str) -> list[str]:
    """The triggers that give the stamp a new value whenever one of TABLES changes."""
    if dialect == "postgresql":
        return [
            f"CREATE OR REPLACE FUNCTION {TABLE}_bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"UPDATE {TABLE} SET stamp = floor((random() - 0.5) * 9e18)::bigint; RETURN NULL; END $$",
            *(
                f"CREATE TRIGGER {TABLE}_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_bump()"
                for table in TABLES
            ),
        ]
    return [
        f"CREATE TRIGGER {TABLE}_{table}_{op.lower()} AFTER {op} ON {table} BEGIN "
        f"UPDATE {TABLE} SET stamp = random(); END"
        for table in TABLES
        for op in ("INSERT", "UPDATE", "DELETE")
    ]


def drop_trigger_sql(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {TABLE}_{table} ON {table}" for table in TABLES] + [
            f"DROP FUNCTION IF EXISTS {TABLE}_bump()"
        ]
    return [f"DROP TRIGGER IF EXISTS {TABLE}_{table}_{op}" for table in TABLES for op in ("insert", "update", "delete")]


@event.listens_for(Base.metadata, "after_create")
def _install(target, connection, **kw) -> None:
    """create_all (the tests, a fresh embedded database) installs the row and the triggers as the migration does."""
    if TABLE in target.tables and all(table in target.tables for table in TABLES):
        for statement in [initial_row_sql(), *trigger_sql(connection.dialect.name)]:
            connection.execute(DDL(statement.replace("%", "%%")))


# -- what a process keeps ------------------------------------------------------------------------------


@dataclass
class _Kept:
    stamp: int
    objects: tuple  # the ORM objects to put into each request's session (none for plain rows)
    value: Any


class _ThreadKept(threading.local):
    def __init__(self):
        self.url = None
        self.entries: dict[str, _Kept] = {}


_kept = _ThreadKept()


def kept(name: str, model, build: Callable[[list], Any], *, columns: tuple = (), on=None, order_by=()) -> Any:
    """`build(rows)` of `model`'s objects (or of its `columns`, when given) where `on` holds, ordered by `order_by`:
    read once per request and kept across requests while the stamp is unchanged."""
    objects = not columns  # build() gets the model's objects, else rows of the columns
    columns = columns or (model,)
    where = on if on is not None else true()

    def read_plainly():
        result = db.session.execute(select(*columns).where(where).order_by(*order_by))
        return build(result.scalars().all() if objects else result.all())

    if not has_request_context():
        return read_plainly()
    memo = g.setdefault("_reference", {})
    if name in memo:
        return memo[name]
    session = db.session()
    url = db.engine.url
    if _kept.url != url:  # one database's entries at a time: the tests open many
        _kept.url, _kept.entries = url, {}
    entry = _kept.entries.get(name)
    if entry is not None:
        stamp = g.get("_reference_stamp")  # this request's, once read
        if stamp is None:
            stamp = g._reference_stamp = session.scalar(_STAMP_SELECT)
        if entry.stamp == stamp and _into_session(session, entry.objects):
            memo[name] = entry.value
            return entry.value
    # The stamp comes as a column of every row; the outer join gives one row (the stamp, no data) for an empty table.
    statement = (
        select(ReferenceStamp.stamp, *columns)
        .select_from(ReferenceStamp)
        .outerjoin(model, where)
        .where(ReferenceStamp.id == 1)
        .order_by(*order_by)
    )
    rows = session.execute(statement).all()
    if not rows:  # no stamp row (it was deleted): read without keeping anything
        value = memo[name] = read_plainly()
        return value
    stamp = rows[0][0]
    data = [row[1] if objects else tuple(row[1:]) for row in rows if row[1] is not None]
    value = memo[name] = build(data)
    g.setdefault("_reference_stamp", stamp)
    _kept.entries[name] = _Kept(stamp, tuple(data) if objects else (), value)
    return value


def _into_session(session, objects: tuple) -> bool:
    """Put kept objects into `session` as loaded; False (and nothing put) when one of them cannot be reused."""
    identity_map = session.identity_map
    states = [instance_state(obj) for obj in objects]
    attach = []
    for state in states:
        if state.expired_attributes or state.modified or state.deleted or state.was_deleted:
            return False
        if state.session_id is None:
            if state.key in identity_map:
                return False  # the session holds another object of that row: read the table again
            attach.append(state)
        elif state.session_id != session.hash_key or identity_map.get(state.key) is not state.obj():
            return False
    mapper_relationships: dict = {}
    for state in attach:
        keys = mapper_relationships.get(state.class_)
        if keys is None:
            keys = mapper_relationships[state.class_] = [r.key for r in state.mapper.relationships]
        for key in keys:  # relations are read again through this session (many-to-one from its identity map)
            state.dict.pop(key, None)
        session._update_impl(state)  # what Session.add does for a detached object, without its cascade
    return True


_STAMP_SELECT = select(ReferenceStamp.stamp).where(ReferenceStamp.id == 1)
STAMP_COLUMN = _STAMP_SELECT.scalar_subquery().label("reference_stamp")  # for a request's first statement


def note_stamp(stamp: int | None) -> None:
    """The stamp as a request's first statement read it (the API's token, auth/services.py find_token): what is
    kept is then checked against it without a statement of its own."""
    if stamp is not None and has_request_context():
        g._reference_stamp = stamp
