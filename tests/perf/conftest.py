"""Statement counting for the performance tests: every SQL statement one request sends to the database.

`count_statements()` listens to `before_cursor_execute` on the app's engine, so it sees every
statement of every connection, whatever issued it (the request's session, Flask-Login's user
loader, the token check, a service's own `db.session.execute`).

One kind of statement is left out, and only one: the SAVEPOINT that the test fixture's session opens
at its start and the RELEASE (or ROLLBACK TO) that ends it. tests/conftest.py runs each request
inside the test's transaction by turning the request's BEGIN into `SAVEPOINT` and its COMMIT into
`RELEASE SAVEPOINT`; in production those are the driver's BEGIN and COMMIT, which psycopg and
pysqlite issue without a cursor, so this listener would not see them there either. A savepoint the
application opens itself (`begin_nested()`, as ticket numbering does) is nested inside the
fixture's and is counted: production issues it too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests.api.conftest import bearer, world  # noqa: F401  (the API tests' fixtures: tokens, a company's people)

_SAVEPOINT = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\s+(\S+)", re.IGNORECASE)


class StatementLog(list):
    """The statements counted, in order; `str()` lists them for an assertion message."""

    def __str__(self) -> str:
        return f"{len(self)} statements:\n" + "\n".join(f"  {n}. {s[:150]}" for n, s in enumerate(self, 1))


@contextmanager
def _counting(engine) -> Iterator[StatementLog]:
    log = StatementLog()
    open_savepoints: list[str] = []
    fixture_savepoints: set[str] = set()

    def record(conn, cursor, statement, parameters, context, executemany):
        match = _SAVEPOINT.match(statement)
        if match:
            verb, name = match.group(1).upper(), match.group(2)
            if verb == "SAVEPOINT":
                if not open_savepoints:  # the outermost one: the fixture's stand-in for BEGIN
                    fixture_savepoints.add(name)
                open_savepoints.append(name)
            elif name in open_savepoints:
                del open_savepoints[open_savepoints.index(name) + (verb != "RELEASE SAVEPOINT") :]
            if name in fixture_savepoints:
                return
        log.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture()
def count_statements(db):
    """`with count_statements() as log: client.get(...)` → `len(log)` statements sent by that request."""

    def start():
        return _counting(db.engine)

    return start
