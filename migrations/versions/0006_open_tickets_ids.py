"""the open-ticket index carries the ticket id; planner statistics on the dashboard's groups

Revision ID: 0006_open_tickets_ids
Revises: 0003_notification_outbox
Create Date: 2026-12-01 21:40:00

A dashboard's red tickets (the oldest red first, 30 of them) are found by an index-only scan of
ix_tickets_open and then read by primary key, instead of reading every open ticket of the scope from
the table to sort them (PostgreSQL INCLUDE; SQLite keeps the index as it was).

The dashboard counts tickets by county and department at once: statistics on those columns together
(with status and rating) tell the planner the result has a few thousand groups, not a hundred
thousand, so it hashes them in memory instead of sorting the period on disk.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_open_tickets_ids'
down_revision = '0003_notification_outbox'
branch_labels = None
depends_on = None

OPEN = "status IN ('submitted', 'assigned', 'in_progress', 'awaiting_enterprise')"
BEFORE = [
    'jurisdiction_id', 'status', 'department_id', 'assignee_id', 'category_id',
    'response_due_at', 'first_response_at', 'yellow_from', 'due_at', 'red_from', 'reopen_count',
]


def _recreate(include):
    op.drop_index('ix_tickets_open', table_name='tickets')
    op.create_index('ix_tickets_open', 'tickets', ['created_at'], postgresql_include=include,
                    postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))


STATISTICS = 'st_tickets_report_jd'


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        _recreate([*BEFORE, 'id'])
        op.execute(f'CREATE STATISTICS IF NOT EXISTS {STATISTICS} (ndistinct) '
                   'ON jurisdiction_id, department_id, status, rating FROM tickets')
        op.execute('ANALYZE tickets')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'DROP STATISTICS IF EXISTS {STATISTICS}')
        _recreate(BEFORE)
