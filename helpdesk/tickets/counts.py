"""Tickets counted per jurisdiction, kept by a trigger: the total of an unfiltered list (issue 13).

A supervisor's first page of the ticket list carries its total, and counting it was most of the database's work
for that page: the county supervisor's 10,552 tickets took 1.4 of the statement's 1.8 ms on PostgreSQL at 100k
(an index-only scan of ix_tickets_jurisdiction_ticket). A supervisor sees the tickets of a set of jurisdictions
(or all of them), so when no filter is given the total is a sum over at most a few hundred rows of
`ticket_counts`. A trigger on `tickets` moves the count in the same transaction as the change (ORM writes, bulk
statements and raw SQL alike), so it is never stale; a list with any filter still counts its tickets.

Only the jurisdiction is counted, not the status: a ticket's every workflow step changes its status, and each would
take the count row's lock until its commit. Filing and a move to another jurisdiction touch it; filing in a
jurisdiction already waits on the same jurisdiction's number (ticket_sequences).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Integer, ScalarSelect, func, select
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk import counted_tables
from helpdesk.db import Base

TABLE = "ticket_counts"


class TicketCount(Base):
    __tablename__ = TABLE

    jurisdiction_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer)


def counted_total(shape: str, filters, param: Callable) -> ScalarSelect | None:
    """The total of a list of visibility `shape` (tickets/queries.py list_visibility) from the counts, or None when
    the counts cannot give it: any filter (`filters`, the names `ticket_filter_values` gave), or an enterprise's or a
    cadre's tickets, which are not counted by jurisdiction."""
    if filters:
        return None
    total = select(func.coalesce(func.sum(TicketCount.n), 0))
    if shape == "jurisdictions":
        return total.where(TicketCount.jurisdiction_id.in_(param("v_jurisdictions", expanding=True))).scalar_subquery()
    return total.scalar_subquery() if shape == "everything" else None


def count_sql() -> str:
    """The counts' rows counted from the tickets at once: (jurisdiction_id, n)."""
    return "SELECT jurisdiction_id, count(*) FROM tickets GROUP BY jurisdiction_id"


def rebuild_sql(dialect: str = "") -> list[str]:
    """Statements that count every ticket afresh (the migration's backfill, a bulk load's end)."""
    return [f"DELETE FROM {TABLE}", f"INSERT INTO {TABLE} (jurisdiction_id, n) {count_sql()}"]


def _postgresql_triggers() -> list[str]:
    # One statement per change, the old jurisdiction's -1 and the new one's +1 taken in id order: two transactions
    # moving tickets between two jurisdictions in opposite directions lock the rows in the same order.
    return [
        f"""CREATE OR REPLACE FUNCTION {TABLE}_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.jurisdiction_id = NEW.jurisdiction_id THEN
    RETURN NULL;
  END IF;
  INSERT INTO {TABLE} AS counted (jurisdiction_id, n)
  SELECT jurisdiction_id, sum(delta) FROM (
    SELECT OLD.jurisdiction_id, -1 AS delta WHERE TG_OP <> 'INSERT'
    UNION ALL
    SELECT NEW.jurisdiction_id, 1 WHERE TG_OP <> 'DELETE'
  ) AS moves (jurisdiction_id, delta)
  GROUP BY jurisdiction_id ORDER BY jurisdiction_id
  ON CONFLICT (jurisdiction_id) DO UPDATE SET n = counted.n + excluded.n;
  RETURN NULL;
END $$""",
        f"CREATE TRIGGER {TABLE}_move AFTER INSERT OR DELETE OR UPDATE OF jurisdiction_id ON tickets "
        f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_move()",
    ]


def _sqlite_triggers() -> list[str]:
    minus = f"UPDATE {TABLE} SET n = n - 1 WHERE jurisdiction_id = OLD.jurisdiction_id;"
    plus = (
        f"INSERT INTO {TABLE} (jurisdiction_id, n) VALUES (NEW.jurisdiction_id, 1) "
        "ON CONFLICT (jurisdiction_id) DO UPDATE SET n = n + 1;"
    )
    return [
        f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON tickets BEGIN {plus} END",
        f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF jurisdiction_id ON tickets "
        f"WHEN OLD.jurisdiction_id IS NOT NEW.jurisdiction_id BEGIN {minus} {plus} END",
        f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON tickets BEGIN {minus} END",
    ]


_COUNTED = counted_tables.CountedTable(TABLE, _postgresql_triggers, _sqlite_triggers, rebuild_sql)
trigger_sql, drop_trigger_sql, rebuild = _COUNTED.trigger_sql, _COUNTED.drop_trigger_sql, _COUNTED.rebuild
