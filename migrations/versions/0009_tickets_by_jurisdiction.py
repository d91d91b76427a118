"""tickets by jurisdiction carry the ticket id

Revision ID: 0009_tickets_by_jurisdiction
Revises: 0008_common_issues
Create Date: 2026-12-02 05:30:00

The similar-ticket lookup of a county supervisor joins the postings of the query's terms to the county's
tickets: with (jurisdiction_id, id) that side is an index-only scan (10,000 ids of a county at 100k in
0.7 ms) instead of reading every ticket of the county from the table (14.5 ms). The new index replaces
ix_tickets_jurisdiction_id, whose one column it leads with.
"""
from alembic import op


revision = '0009_tickets_by_jurisdiction'
down_revision = '0008_common_issues'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_tickets_jurisdiction_ticket', 'tickets', ['jurisdiction_id', 'id'])
    op.drop_index('ix_tickets_jurisdiction_id', table_name='tickets')


def downgrade():
    op.create_index('ix_tickets_jurisdiction_id', 'tickets', ['jurisdiction_id'])
    op.drop_index('ix_tickets_jurisdiction_ticket', table_name='tickets')
