"""indexes and planner statistics for the resolution-rate tracker and the open-ticket lists

Revision ID: 0002_report_indexes
Revises: 0001
Create Date: 2026-11-23 05:00:00

- ix_tickets_report: a county's (or city's) tickets of a period, with every column the report
  reads, so that a county supervisor's report is an index-only scan (PostgreSQL INCLUDE; SQLite
  gets the two key columns).
- ix_tickets_open: a partial index of the open tickets only (a few percent of the table) with the
  deadline columns, for the colours of the report, the lists filtered by colour and their totals.
- PostgreSQL only: statistics on the local month and ISO week of created_at (the report's group
  keys, see helpdesk.reports.services.period_key) and on the group columns taken together, so that
  the planner knows a report has a few dozen rows and not a million, and aggregates in parallel
  with a hash table instead of sorting the whole table.

See docs/PERFORMANCE.md for the plans and figures behind each one.
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_report_indexes'
down_revision = '0001'
branch_labels = None
depends_on = None

OPEN = "status IN ('submitted', 'assigned', 'in_progress', 'awaiting_enterprise')"
REPORT_INCLUDE = [
    'status', 'rating', 'department_id', 'assignee_id', 'category_id',
    'response_due_at', 'first_response_at', 'due_at', 'resolved_at',
]
OPEN_INCLUDE = [
    'jurisdiction_id', 'status', 'department_id', 'assignee_id', 'category_id',
    'response_due_at', 'first_response_at', 'yellow_from', 'due_at', 'red_from', 'reopen_count',
]
LOCAL = "timezone('UTC', created_at) + interval '8 hours'"
STATISTICS = {
    'st_tickets_local_month': f"(date_trunc('month', {LOCAL}))",
    'st_tickets_local_week': f"(date_trunc('week', {LOCAL}))",
    'st_tickets_report_groups': "status, rating, department_id, assignee_id, category_id",
}


def _postgres_with_expression_statistics() -> bool:
    bind = op.get_bind()
    return bind.dialect.name == 'postgresql' and bind.dialect.server_version_info >= (14,)


def upgrade():
    op.create_index('ix_tickets_report', 'tickets', ['jurisdiction_id', 'created_at'],
                    postgresql_include=REPORT_INCLUDE)
    op.create_index('ix_tickets_open', 'tickets', ['created_at'], postgresql_include=OPEN_INCLUDE,
                    postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
    if _postgres_with_expression_statistics():
        for name, columns in STATISTICS.items():
            kind = ' (ndistinct)' if name == 'st_tickets_report_groups' else ''
            op.execute(f'CREATE STATISTICS IF NOT EXISTS {name}{kind} ON {columns} FROM tickets')
        op.execute('ANALYZE tickets')


def downgrade():
    if _postgres_with_expression_statistics():
        for name in STATISTICS:
            op.execute(f'DROP STATISTICS IF EXISTS {name}')
    op.drop_index('ix_tickets_open', table_name='tickets')
    op.drop_index('ix_tickets_report', table_name='tickets')
