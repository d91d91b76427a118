"""answered tickets counted by month, county, department and outcome, kept by a trigger; unanswered tickets indexed

Revision ID: 0011_outcome_counts
Revises: 0010_outcome_group_statistics
Create Date: 2026-12-02 19:30:00

helpdesk/reports/rollup.py explains the table and its trigger. The reports read a period's full months from
ticket_outcome_counts and the rest from tickets; ix_tickets_unanswered holds the part that is never counted
(the unanswered tickets). The table is filled from the tickets here, in the migration's transaction.
"""
import sqlalchemy as sa
from alembic import op

from helpdesk.reports.rollup import drop_trigger_sql, rebuild_sql, trigger_sql


revision = '0011_outcome_counts'
down_revision = '0010_outcome_group_statistics'
branch_labels = None
depends_on = None


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_table(
        'ticket_outcome_counts',
        sa.Column('jurisdiction_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('department_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('status', sa.String(length=24), nullable=False),
        sa.Column('rating', sa.String(length=24), nullable=False),
        sa.Column('callback_state', sa.String(length=10), nullable=False),
        sa.Column('on_time', sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column('answered_on_time', sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            'jurisdiction_id',
            'month',
            'department_id',
            'status',
            'rating',
            'callback_state',
            'on_time',
            'answered_on_time',
            name=op.f('pk_ticket_outcome_counts'),
        ),
    )
    unanswered = sa.text('first_response_at IS NULL')
    op.create_index(
        'ix_tickets_unanswered',
        'tickets',
        ['jurisdiction_id', 'created_at'],
        postgresql_include=[
            'status',
            'rating',
            'department_id',
            'assignee_id',
            'category_id',
            'response_due_at',
            'first_response_at',
            'due_at',
            'resolved_at',
            'callback_state',
        ],
        postgresql_where=unanswered,
        sqlite_where=unanswered,
    )
    for statement in rebuild_sql(dialect)[1:] + trigger_sql(dialect):
        op.execute(statement)
    if dialect == 'postgresql':
        op.execute('ANALYZE ticket_outcome_counts')


def downgrade():
    for statement in drop_trigger_sql(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_index('ix_tickets_unanswered', table_name='tickets')
    op.drop_table('ticket_outcome_counts')
