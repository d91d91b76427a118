"""callbacks (回访) and the monthly bulletin's runs

Revision ID: 0007_callbacks
Revises: 0004_security
Create Date: 2026-11-24 09:00:00

- callbacks: one row per call to a company about its completed ticket (issue 15).
- tickets.callback_state (null / unreached / solved / unsolved), kept by the callback service, so
  that callback_rate and verified_solved_rate come from the report's own two queries (no join); it
  joins the INCLUDE list of ix_tickets_report so a county's report stays an index-only scan on
  PostgreSQL (SQLite's index has the two key columns only and is left as it is), and it joins the
  planner's ndistinct statistics of the report's group columns (st_tickets_report_groups, migration
  0002): without them a column that is mostly null makes PostgreSQL expect a group per ticket and sort
  the whole table instead of hashing a few hundred groups (a province report by month at 100k tickets:
  ~650 ms instead of ~180 ms).
- bulletin_runs: which (jurisdiction, month) bulletins the scheduled sending has done, once each.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_callbacks'
down_revision = '0004_security'
branch_labels = None
depends_on = None

REPORT_INCLUDE = [
    'status', 'rating', 'department_id', 'assignee_id', 'category_id',
    'response_due_at', 'first_response_at', 'due_at', 'resolved_at',
]
CALLBACK_STATES = "'unreached', 'solved', 'unsolved'"
RATINGS = "'satisfied', 'basically_satisfied', 'dissatisfied'"


GROUP_COLUMNS = 'status, rating, department_id, assignee_id, category_id'


def _postgres() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def _group_statistics(columns: str) -> None:
    """Migration 0002's ndistinct statistics of the group columns, on the same PostgreSQL versions."""
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql' and bind.dialect.server_version_info >= (14,):
        op.execute('DROP STATISTICS IF EXISTS st_tickets_report_groups')
        op.execute(f'CREATE STATISTICS st_tickets_report_groups (ndistinct) ON {columns} FROM tickets')
        op.execute('ANALYZE tickets')


def _report_index(include: list[str]) -> None:
    op.drop_index('ix_tickets_report', table_name='tickets')
    op.create_index('ix_tickets_report', 'tickets', ['jurisdiction_id', 'created_at'], postgresql_include=include)


def upgrade():
    # A column CHECK in ADD COLUMN: both databases take it without rebuilding the table.
    op.execute(
        'ALTER TABLE tickets ADD COLUMN callback_state VARCHAR(10) CONSTRAINT ck_tickets_callback_state '
        f'CHECK (callback_state IS NULL OR callback_state IN ({CALLBACK_STATES}))'
    )
    if _postgres():
        _report_index([*REPORT_INCLUDE, 'callback_state'])
    _group_statistics(f'{GROUP_COLUMNS}, callback_state')

    op.create_table('callbacks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('caller_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reached', sa.Boolean(), nullable=False),
    sa.Column('solved', sa.Boolean(), nullable=True),
    sa.Column('rating', sa.String(length=24), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint(f'rating IS NULL OR rating IN ({RATINGS})', name=op.f('ck_callbacks_rating')),
    sa.CheckConstraint('reached OR (solved IS NULL AND rating IS NULL)', name=op.f('ck_callbacks_unreached_says_nothing')),
    sa.CheckConstraint('NOT reached OR solved IS NOT NULL', name=op.f('ck_callbacks_reached_says_solved')),
    sa.ForeignKeyConstraint(['caller_id'], ['users.id'], name=op.f('fk_callbacks_caller_id_users')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_callbacks_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_callbacks'))
    )
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_callbacks_caller_id'), ['caller_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_callbacks_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_callbacks_ticket_id_id', ['ticket_id', 'id'], unique=False)

    op.create_table('bulletin_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_bulletin_runs_jurisdiction_id_jurisdictions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletin_runs')),
    sa.UniqueConstraint('jurisdiction_id', 'month', name=op.f('uq_bulletin_runs_jurisdiction_id_month'))
    )


def downgrade():
    op.drop_table('bulletin_runs')
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.drop_index('ix_callbacks_ticket_id_id')
        batch_op.drop_index(batch_op.f('ix_callbacks_created_at'))
        batch_op.drop_index(batch_op.f('ix_callbacks_caller_id'))
    op.drop_table('callbacks')
    if _postgres():
        _report_index(REPORT_INCLUDE)
    _group_statistics(GROUP_COLUMNS)
    # SQLite drops a column whose CHECK is its own (3.35+); PostgreSQL drops the constraint with it.
    op.drop_column('tickets', 'callback_state')
