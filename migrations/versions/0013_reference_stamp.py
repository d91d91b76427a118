"""reference_stamp: one row whose value triggers change with the jurisdictions, categories, holiday overrides and robots

Revision ID: 0013_reference_stamp
Revises: 0012_ticket_counts
Create Date: 2026-12-04 22:00:00

helpdesk/reference.py explains the stamp: a process keeps those four tables across requests while it is unchanged.
"""

import sqlalchemy as sa
from alembic import op

from helpdesk.reference import drop_trigger_sql, initial_row_sql, trigger_sql


revision = "0013_reference_stamp"
down_revision = "0012_ticket_counts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reference_stamp",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_stamp")),
    )
    for statement in [initial_row_sql(), *trigger_sql(op.get_bind().dialect.name)]:
        op.execute(statement)


def downgrade():
    for statement in drop_trigger_sql(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("reference_stamp")
