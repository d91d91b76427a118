"""common issues (共性问题): the similarity index

Revision ID: 0008_common_issues
Revises: 0007_callbacks
Create Date: 2026-12-02 01:00:00

- ticket_terms (ticket_id, term, weight): each ticket's unit vector, ≤ 64 postings a ticket, indexed by
  (term, ticket_id, weight) so that a lookup reads a term's postings from the index alone.
- term_stats (term, df): document frequencies; the row of the empty term holds N, the indexed tickets.
- ticket_neighbours (ticket_id, other_id, score): each ticket's ≤ 20 best matches scoring ≥ 0.18, the
  edges candidate groups are built from.
- tickets.similarity_indexed_at: null until the worker's similarity_index job has taken the ticket in
  (filing writes nothing more); ix_tickets_unindexed, partial, holds only those, so finding them stays
  cheap at any size. Existing tickets start null: the job indexes them, or `flask similarity reindex`.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_common_issues'
down_revision = '0007_callbacks'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('tickets', sa.Column('similarity_indexed_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        'ix_tickets_unindexed', 'tickets', ['id'],
        postgresql_where=sa.text('similarity_indexed_at IS NULL'),
        sqlite_where=sa.text('similarity_indexed_at IS NULL'),
    )

    op.create_table('ticket_terms',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('term', sa.String(length=16), nullable=False),
    sa.Column('weight', sa.REAL(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_terms_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', 'term', name=op.f('pk_ticket_terms'))
    )
    op.create_index('ix_ticket_terms_term', 'ticket_terms', ['term', 'ticket_id', 'weight'], unique=False)

    op.create_table('term_stats',
    sa.Column('term', sa.String(length=16), nullable=False),
    sa.Column('df', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('term', name=op.f('pk_term_stats'))
    )

    op.create_table('ticket_neighbours',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('other_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.REAL(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_neighbours_ticket_id_tickets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['other_id'], ['tickets.id'], name=op.f('fk_ticket_neighbours_other_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', 'other_id', name=op.f('pk_ticket_neighbours'))
    )
    op.create_index(op.f('ix_ticket_neighbours_other_id'), 'ticket_neighbours', ['other_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_ticket_neighbours_other_id'), table_name='ticket_neighbours')
    op.drop_table('ticket_neighbours')
    op.drop_table('term_stats')
    op.drop_index('ix_ticket_terms_term', table_name='ticket_terms')
    op.drop_table('ticket_terms')
    op.drop_index('ix_tickets_unindexed', table_name='tickets')
    op.drop_column('tickets', 'similarity_indexed_at')
