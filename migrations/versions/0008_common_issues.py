"""common issues (共性问题): the similarity index, common issues and their history

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
- common_issues: one problem of many enterprises, owned by a jurisdiction, handled by a lead department;
  common_issue_events its append-only history; tickets.common_issue_id (nullable) links a ticket to one,
  added with its constraint in ADD COLUMN (no table rebuild on SQLite).
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


    op.create_table('common_issues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('lead_department_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('resolution_note', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('open', 'resolved')", name=op.f('ck_common_issues_status')),
    sa.CheckConstraint("status = 'open' OR resolved_at IS NOT NULL", name=op.f('ck_common_issues_resolved_has_resolved_at')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_common_issues_category_id_categories')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_common_issues_created_by_id_users')),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_common_issues_jurisdiction_id_jurisdictions')),
    sa.ForeignKeyConstraint(['lead_department_id'], ['departments.id'], name=op.f('fk_common_issues_lead_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_common_issues'))
    )
    op.create_index(op.f('ix_common_issues_created_at'), 'common_issues', ['created_at'], unique=False)
    op.create_index(op.f('ix_common_issues_jurisdiction_id'), 'common_issues', ['jurisdiction_id'], unique=False)
    op.create_index(op.f('ix_common_issues_lead_department_id'), 'common_issues', ['lead_department_id'], unique=False)
    op.create_index(op.f('ix_common_issues_status'), 'common_issues', ['status'], unique=False)

    op.create_table('common_issue_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('common_issue_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_common_issue_events_actor_id_users')),
    sa.ForeignKeyConstraint(['common_issue_id'], ['common_issues.id'], name=op.f('fk_common_issue_events_common_issue_id_common_issues')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_common_issue_events_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_common_issue_events'))
    )
    op.create_index('ix_common_issue_events_issue_id_id', 'common_issue_events', ['common_issue_id', 'id'], unique=False)
    op.create_index(op.f('ix_common_issue_events_ticket_id'), 'common_issue_events', ['ticket_id'], unique=False)

    # A column REFERENCES in ADD COLUMN: both databases take it without rebuilding the table.
    op.execute(
        'ALTER TABLE tickets ADD COLUMN common_issue_id INTEGER '
        'CONSTRAINT fk_tickets_common_issue_id_common_issues REFERENCES common_issues (id)'
    )
    op.create_index(op.f('ix_tickets_common_issue_id'), 'tickets', ['common_issue_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_tickets_common_issue_id'), table_name='tickets')
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint('fk_tickets_common_issue_id_common_issues', 'tickets', type_='foreignkey')
        op.drop_column('tickets', 'common_issue_id')
    else:
        # SQLite refuses to drop a column that a foreign key uses, and a batch rebuild of tickets would turn
        # 0007's column CHECK into a table CHECK that its downgrade then cannot drop. So the REFERENCES clause
        # is taken out of the stored CREATE TABLE text (it changes nothing on disk; the schema version is
        # bumped so that every connection rereads it), and the plain column is dropped.
        bind = op.get_bind()
        version = bind.exec_driver_sql('PRAGMA schema_version').scalar()
        bind.exec_driver_sql('PRAGMA writable_schema = ON')
        bind.exec_driver_sql(
            "UPDATE sqlite_master SET sql = replace(sql, "
            "' CONSTRAINT fk_tickets_common_issue_id_common_issues REFERENCES common_issues (id)', '') "
            "WHERE type = 'table' AND name = 'tickets'"
        )
        bind.exec_driver_sql(f'PRAGMA schema_version = {version + 1}')
        bind.exec_driver_sql('PRAGMA writable_schema = OFF')
        op.drop_column('tickets', 'common_issue_id')
    op.drop_index(op.f('ix_common_issue_events_ticket_id'), table_name='common_issue_events')
    op.drop_index('ix_common_issue_events_issue_id_id', table_name='common_issue_events')
    op.drop_table('common_issue_events')
    op.drop_index(op.f('ix_common_issues_status'), table_name='common_issues')
    op.drop_index(op.f('ix_common_issues_lead_department_id'), table_name='common_issues')
    op.drop_index(op.f('ix_common_issues_jurisdiction_id'), table_name='common_issues')
    op.drop_index(op.f('ix_common_issues_created_at'), table_name='common_issues')
    op.drop_table('common_issues')
    op.drop_index(op.f('ix_ticket_neighbours_other_id'), table_name='ticket_neighbours')
    op.drop_table('ticket_neighbours')
    op.drop_table('term_stats')
    op.drop_index('ix_ticket_terms_term', table_name='ticket_terms')
    op.drop_table('ticket_terms')
    op.drop_index('ix_tickets_unindexed', table_name='tickets')
    op.drop_column('tickets', 'similarity_indexed_at')
