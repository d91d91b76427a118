"""Declarative base with a constraint naming convention, and the shared column types."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from functools import cache

from sqlalchemy import DateTime, Enum, Insert, MetaData, insert, inspect
from sqlalchemy.orm import DeclarativeBase, scoped_session
from sqlalchemy.orm.attributes import instance_state, set_committed_value
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Ids are 32-bit integer columns (PostgreSQL `integer`): a larger number names nothing, and handed to the
# database it would be an "out of range" error, so pages and API refuse it before any query.
MAX_ID = 2**31 - 1


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp that is always timezone-aware UTC in Python, on PostgreSQL and on SQLite alike.

    SQLite has no time zone type: values are stored as naive UTC there and made aware again on load.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column(enum: type[StrEnum], length: int) -> Enum:
    """A column of a StrEnum stored by value in VARCHAR(length); loads as the enum's members.

    The allowed values are checked by each table's own CHECK constraint (a refused value is a 409 like
    any integrity error), so the type creates none and passes unknown strings through to it.
    """
    return Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def attach(obj, **related) -> None:
    """Point `obj`'s many-to-one relations at the given objects (or None) as if loaded with it: their foreign key
    columns are set and the relations read the objects at once, with no change for a flush to work through.
    Only for relations without a back_populates collection, whose other side would not hear of it."""
    mapper = inspect(obj).mapper
    for name, target in related.items():
        relation = mapper.relationships[name]
        if relation.back_populates or relation.backref:
            raise TypeError(f"attach() does not keep {name}'s other side")
        for local, remote in relation.local_remote_pairs:
            key, value = (
                mapper.get_property_by_column(local).key,
                None if target is None else getattr(target, remote.key),
            )
            if getattr(obj, key) != value:  # an equal value set again would still send the object to the flush
                setattr(obj, key, value)
        set_committed_value(obj, name, target)


def insert_loaded(session, model, values: dict):
    """INSERT one row of `model` (Core, RETURNING every column) and return it as a persistent object, as if loaded:
    an ORM flush of a new ticket, with its nine relations, or an ORM bulk INSERT cost several times the statement.
    The object is built as a load builds one (its columns set as loaded, its relations unloaded, no constructor and
    no cascade) and put into the session's identity map. The version counter starts as the mapper's would start it;
    no mapper event fires (none is listened for on the models inserted this way)."""
    mapper = inspect(model)
    if mapper.version_id_col is not None:
        values = {mapper.version_id_col.key: mapper.version_id_generator(None), **values}
    if isinstance(session, scoped_session):
        session = session()
    keys, statement = _insert_returning(mapper)
    row = session.connection().execute(statement, values).one()  # a Core statement: nothing to autoflush
    obj = mapper.class_manager.new_instance()
    state = instance_state(obj)
    state.dict.update(zip(keys, row))
    state.key = mapper._identity_key_from_state(state)
    session._update_impl(state)  # what Session.add does for a detached object, without its cascade
    return obj


@cache
def _insert_returning(mapper) -> tuple[list[str], Insert]:
    """The attribute names of the table's columns and its INSERT … RETURNING them, built once: the values come as the
    execution's parameters."""
    table = mapper.local_table
    return [mapper.get_property_by_column(column).key for column in table.c], insert(table).returning(*table.c)
