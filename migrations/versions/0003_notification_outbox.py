"""notifications through a transactional outbox: outbox, group robots, job locks, users' mobile and channels

Revision ID: 0003_notification_outbox
Revises: 0002_report_indexes
Create Date: 2026-12-02 09:00:00

- outbox: one row per message to deliver (channel, recipient or robot, address, payload, status,
  attempts, next_attempt_at, lease_until, claimed_by, last_error, sent_at, idempotency_key); the
  worker claims due rows through ix_outbox_status_next_attempt_at.
- robots: WeCom / DingTalk group robots of a department or of a jurisdiction (exactly one of the two).
- job_locks: the schedule and lock row of each periodic job (the SLA sweep).
- users: mobile (unique, optional), email_notices (on), sms_notices (null: the default for the role).
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_notification_outbox'
down_revision = '0002_report_indexes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mobile', sa.String(length=11), nullable=True))
        batch_op.add_column(sa.Column('email_notices', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('sms_notices', sa.Boolean(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_mobile'), ['mobile'])

    op.create_table('robots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('webhook_url', sa.String(length=500), nullable=False),
    sa.Column('secret', sa.String(length=200), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('wecom', 'dingtalk')", name=op.f('ck_robots_kind')),
    sa.CheckConstraint('(department_id IS NULL) <> (jurisdiction_id IS NULL)', name=op.f('ck_robots_one_owner')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_robots_department_id_departments')),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], name=op.f('fk_robots_jurisdiction_id_jurisdictions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_robots'))
    )
    with op.batch_alter_table('robots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_robots_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_robots_jurisdiction_id'), ['jurisdiction_id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('robot_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=100), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.CheckConstraint("channel IN ('email', 'sms', 'wecom', 'dingtalk')", name=op.f('ck_outbox_channel')),
    sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name=op.f('ck_outbox_status')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_outbox_attempts')),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_outbox_recipient_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['robot_id'], ['robots.id'], name=op.f('fk_outbox_robot_id_robots'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_outbox_idempotency_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_recipient_id'), ['recipient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_robot_id'), ['robot_id'], unique=False)

    op.create_table('job_locks',
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('holder', sa.String(length=100), nullable=True),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_run_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_job_locks'))
    )


def downgrade():
    op.drop_table('job_locks')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_robot_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_recipient_id'))
        batch_op.drop_index('ix_outbox_status_next_attempt_at')
    op.drop_table('outbox')
    with op.batch_alter_table('robots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_robots_jurisdiction_id'))
        batch_op.drop_index(batch_op.f('ix_robots_department_id'))
    op.drop_table('robots')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_mobile'), type_='unique')
        batch_op.drop_column('sms_notices')
        batch_op.drop_column('email_notices')
        batch_op.drop_column('mobile')
