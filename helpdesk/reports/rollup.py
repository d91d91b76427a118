"""The outcome rollup: answered tickets counted by local month, county, department and outcome (issue 13).

A report of a province reads every ticket of its period; at 1,000,000 tickets the dashboard's two groupings
of the current year were two scans of 456,000 tickets. Most of those tickets never change again, and the
report needs only a few of their columns, so the database keeps them counted: `ticket_outcome_counts` holds,
for every local month (Asia/Shanghai), county, department, status, rating, callback state and the two
deadline flags, how many answered tickets have them — about 23,000 rows for that year. A trigger on
`tickets` moves a ticket from one row to another in the same transaction as the change (the ORM's writes,
bulk UPDATEs and raw SQL alike), so the counts are never stale.

Only answered tickets (first_response_at set) are counted: whether an unanswered ticket's response is due
depends on the moment the report is read (§6 response rate), so those are read from the tickets
(the partial index ix_tickets_unanswered holds them). services.py reads the full months of a period from
here and the rest — the months at its edges, the unanswered tickets — from `tickets`, and adds them up;
tests/reports/test_rollup.py checks that every report is the same either way.

NULL is kept out of the key (a unique key treats NULLs as distinct, on both databases): 0 is no department,
'' no rating or callback state, -1 a deadline flag that is unknown (not resolved yet).
"""

from __future__ import annotations

from sqlalchemy import Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk import counted_tables
from helpdesk.db import Base

TABLE = "ticket_outcome_counts"
KEY = ("jurisdiction_id", "month", "department_id", "status", "rating", "callback_state", "on_time", "answered_on_time")
# The columns whose change can move a ticket to another row (the triggers fire on these only).
WATCHED = (
    "created_at",
    "jurisdiction_id",
    "department_id",
    "status",
    "rating",
    "callback_state",
    "resolved_at",
    "due_at",
    "first_response_at",
    "response_due_at",
)


class OutcomeCount(Base):
    __tablename__ = TABLE

    jurisdiction_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # '2026-03', Asia/Shanghai
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(24), primary_key=True)
    rating: Mapped[str] = mapped_column(String(24), primary_key=True)
    callback_state: Mapped[str] = mapped_column(String(10), primary_key=True)
    on_time: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    answered_on_time: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer)


def _key_values(row: str, dialect: str) -> str:
    """The key of the ticket `row` ('NEW', 'OLD', or a table name) as SQL expressions, in KEY's order."""
    if dialect == "postgresql":
        month = f"to_char(timezone('UTC', {row}.created_at) + interval '8 hours', 'YYYY-MM')"
    else:
        month = f"strftime('%Y-%m', datetime({row}.created_at, '+8 hours'))"

    def flag(done: str, due: str) -> str:
        return f"CASE WHEN {row}.{done} <= {row}.{due} THEN 1 WHEN {row}.{done} > {row}.{due} THEN 0 ELSE -1 END"

    return ", ".join(
        [
            f"{row}.jurisdiction_id",
            month,
            f"coalesce({row}.department_id, 0)",
            f"{row}.status",
            f"coalesce({row}.rating, '')",
            f"coalesce({row}.callback_state, '')",
            flag("resolved_at", "due_at"),
            flag("first_response_at", "response_due_at"),
        ]
    )


COLUMNS = ", ".join(KEY)


def count_sql(dialect: str) -> str:
    """The rollup's rows counted from the tickets at once: (KEY…, n)."""
    return (
        f"SELECT {_key_values('tickets', dialect)}, count(*) FROM tickets WHERE tickets.first_response_at IS NOT NULL "
        f"GROUP BY {', '.join(str(i) for i in range(1, len(KEY) + 1))}"
    )


def rebuild_sql(dialect: str) -> list[str]:
    """Statements that count every answered ticket afresh (the migration's backfill, a bulk load's end)."""
    return [f"DELETE FROM {TABLE}", f"INSERT INTO {TABLE} ({COLUMNS}, n) {count_sql(dialect)}"]


def _postgresql_triggers() -> list[str]:
    # One statement per change: the old row's -1 and the new row's +1 summed by key (nothing when the key is the
    # same), taken in key order so that two transactions moving tickets in opposite directions lock the rows in
    # the same order and cannot deadlock.
    return [
        f"""CREATE OR REPLACE FUNCTION {TABLE}_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {TABLE} AS counted ({COLUMNS}, n)
  SELECT {COLUMNS}, sum(delta) FROM (
    SELECT {_key_values("OLD", "postgresql")}, -1 AS delta WHERE TG_OP <> 'INSERT' AND OLD.first_response_at IS NOT NULL
    UNION ALL
    SELECT {_key_values("NEW", "postgresql")}, 1 WHERE TG_OP <> 'DELETE' AND NEW.first_response_at IS NOT NULL
  ) AS moves ({COLUMNS}, delta)
  GROUP BY {COLUMNS} HAVING sum(delta) <> 0 ORDER BY {COLUMNS}
  ON CONFLICT ({COLUMNS}) DO UPDATE SET n = counted.n + excluded.n;
  RETURN NULL;
END $$""",
        f"CREATE TRIGGER {TABLE}_move AFTER INSERT OR DELETE OR UPDATE OF {', '.join(WATCHED)} ON tickets "
        f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_move()",
    ]


def _sqlite_triggers() -> list[str]:
    minus = (
        f"UPDATE {TABLE} SET n = n - 1 WHERE OLD.first_response_at IS NOT NULL "
        f"AND ({COLUMNS}) = ({_key_values('OLD', 'sqlite')});"
    )
    plus = (
        f"INSERT INTO {TABLE} ({COLUMNS}, n) SELECT {_key_values('NEW', 'sqlite')}, 1 "
        f"WHERE NEW.first_response_at IS NOT NULL ON CONFLICT ({COLUMNS}) DO UPDATE SET n = n + 1;"
    )
    return [
        f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON tickets BEGIN {plus} END",
        f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF {', '.join(WATCHED)} ON tickets BEGIN {minus} {plus} END",
        f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON tickets BEGIN {minus} END",
    ]


_COUNTED = counted_tables.CountedTable(TABLE, _postgresql_triggers, _sqlite_triggers, rebuild_sql)
trigger_sql, drop_trigger_sql, rebuild = _COUNTED.trigger_sql, _COUNTED.drop_trigger_sql, _COUNTED.rebuild
