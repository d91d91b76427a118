"""tickets counted per jurisdiction, kept by a trigger: the total of a supervisor's unfiltered list

Revision ID: 0012_ticket_counts
Revises: 0011_outcome_counts
Create Date: 2026-12-04 18:00:00

helpdesk/tickets/counts.py explains the table and its trigger. The table is filled from the tickets here, in the
migration's transaction.
"""
import sqlalchemy as sa
from alembic import op

from helpdesk.tickets.counts import drop_trigger_sql, rebuild_sql, trigger_sql


revision = '0012_ticket_counts'
down_revision = '0011_outcome_counts'
branch_labels = None
depends_on = None


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_table(
        'ticket_counts',
        sa.Column('jurisdiction_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('jurisdiction_id', name=op.f('pk_ticket_counts')),
    )
    for statement in rebuild_sql()[1:] + trigger_sql(dialect):
        op.execute(statement)


def downgrade():
    for statement in drop_trigger_sql(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table('ticket_counts')
