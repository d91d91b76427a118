"""Tables of ticket counts kept by triggers on `tickets` (reports/rollup.py, tickets/counts.py): what both share.

Each table names its triggers after itself: on PostgreSQL one row trigger `<table>_move` and its function, on
SQLite `<table>_insert`, `<table>_update` and `<table>_delete`.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import DDL, event, text

from helpdesk.db import Base


class CountedTable:
    """A count table's triggers and rebuild, from the statements its module writes; create_all (the tests, a fresh
    embedded database) installs the triggers as the table's migration does."""

    def __init__(
        self,
        table: str,
        postgresql_triggers: Callable[[], list[str]],
        sqlite_triggers: Callable[[], list[str]],
        rebuild_sql: Callable[[str], list[str]],
    ):
        self.table, self.rebuild_sql = table, rebuild_sql
        self._triggers = {"postgresql": postgresql_triggers, "sqlite": sqlite_triggers}
        event.listen(Base.metadata, "after_create", self._install)

    def trigger_sql(self, dialect: str) -> list[str]:
        return self._triggers["postgresql" if dialect == "postgresql" else "sqlite"]()

    def drop_trigger_sql(self, dialect: str) -> list[str]:
        if dialect == "postgresql":
            return [
                f"DROP TRIGGER IF EXISTS {self.table}_move ON tickets",
                f"DROP FUNCTION IF EXISTS {self.table}_move()",
            ]
        return [f"DROP TRIGGER IF EXISTS {self.table}_{op}" for op in ("insert", "update", "delete")]

    def rebuild(self, connection) -> None:
        """Count afresh on `connection` (after a load that bypassed the triggers)."""
        for statement in self.rebuild_sql(connection.dialect.name):
            connection.execute(text(statement))

    def _install(self, target, connection, **kw) -> None:
        if self.table in target.tables and "tickets" in target.tables:
            for statement in self.trigger_sql(connection.dialect.name):
                connection.execute(DDL(statement.replace("%", "%%")))
