"""planner statistics on the columns a report groups its tickets by, callbacks and jurisdiction included

Revision ID: 0010_outcome_group_statistics
Revises: 0009_tickets_by_jurisdiction
Create Date: 2026-12-02 08:30:00

PostgreSQL only. A report groups tickets by its row key (jurisdiction, department, category, assignee) and by
status, rating and callback state (helpdesk/reports/sql.py outcome_query). The ndistinct statistics so far
cover either the jurisdiction (st_tickets_report_jd, 0006) or the callback state (st_tickets_report_groups,
0007), never both, so for a report by jurisdiction the planner multiplied distinct counts and expected 169,600
groups where there are 320: at 1,000,000 tickets it sorted every ticket on disk
(work_mem) instead of hashing them in parallel, and the whole-history province report took 520 ms in the
database; with these statistics it takes 200 ms (docs/PERFORMANCE.md).
"""
from alembic import op


revision = '0010_outcome_group_statistics'
down_revision = '0009_tickets_by_jurisdiction'
branch_labels = None
depends_on = None

COLUMNS = 'jurisdiction_id, department_id, assignee_id, category_id, status, rating, callback_state'


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'CREATE STATISTICS IF NOT EXISTS st_tickets_outcome_groups (ndistinct) ON {COLUMNS} FROM tickets')
        op.execute('ANALYZE tickets')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP STATISTICS IF EXISTS st_tickets_outcome_groups')
