"""security (issue 17): revocable page sessions, shared failed-login counters and lockout, temporary
passwords, the append-only security audit log, and emails in one canonical form

Revision ID: 0004_security
Revises: 0005_routing_and_short_names
Create Date: 2026-11-24 09:00:00

- users: password_temporary, password_changed_at, locked_until.
- user_sessions: one row per page login; the cookie carries a token whose SHA-256 is stored.
- login_failures: the failed-login counter when REDIS_URL is unset.
- security_events: append-only (ORM listeners; on PostgreSQL a trigger refuses every UPDATE, and any
  DELETE of a record younger than 180 days, the retention 等保 asks for).
- Emails become NFKC + lower case. Two users whose emails would become one stop the upgrade with the
  list: merge or rename them first (nothing has been changed then).
"""
import unicodedata

from alembic import op
import sqlalchemy as sa


revision = '0004_security'
down_revision = '0005_routing_and_short_names'
branch_labels = None
depends_on = None

MIN_RETENTION_DAYS = 180


def canonical(email):
    return unicodedata.normalize('NFKC', email or '').strip().lower()


def normalise_emails():
    bind = op.get_bind()
    users = bind.execute(sa.text('SELECT id, email FROM users ORDER BY id')).all()
    groups = {}
    for user_id, email in users:
        groups.setdefault(canonical(email), []).append((user_id, email))
    collisions = {key: rows for key, rows in groups.items() if len(rows) > 1}
    if collisions:
        lines = [
            f"  {key}: " + ', '.join(f"user {user_id} <{email}>" for user_id, email in rows)
            for key, rows in sorted(collisions.items())
        ]
        raise RuntimeError(
            'Emails are now compared in one form (NFKC, lower case), and these users would share one:\n'
            + '\n'.join(lines)
            + '\nRename or deactivate-and-rename all but one of each (UPDATE users SET email = ...), then upgrade again.'
        )
    for user_id, email in users:
        if canonical(email) != email:
            bind.execute(sa.text('UPDATE users SET email = :email WHERE id = :id'), {'email': canonical(email), 'id': user_id})


def upgrade():
    normalise_emails()
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_temporary', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))

    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_reason', sa.String(length=30), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('user_agent', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=45), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failures_at'), ['at'], unique=False)
        batch_op.create_index('ix_login_failures_email_at', ['email', 'at'], unique=False)

    op.create_table('security_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('user_agent', sa.String(length=200), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_security_events_actor_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_security_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_events'))
    )
    with op.batch_alter_table('security_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_security_events_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_security_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_security_events_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_security_events_user_id'), ['user_id'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        # Append-only in the database too; only the retention purge may delete, and only old records.
        op.execute(
            'CREATE FUNCTION security_events_append_only() RETURNS trigger AS $$ '
            "BEGIN IF TG_OP = 'DELETE' AND OLD.at < now() - interval '"
            + str(MIN_RETENTION_DAYS)
            + " days' THEN RETURN OLD; END IF; "
            "RAISE EXCEPTION 'security events are append-only, and kept at least "
            + str(MIN_RETENTION_DAYS)
            + " days'; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            'CREATE TRIGGER security_events_append_only BEFORE UPDATE OR DELETE ON security_events '
            'FOR EACH ROW EXECUTE FUNCTION security_events_append_only()'
        )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS security_events_append_only ON security_events')
        op.execute('DROP FUNCTION IF EXISTS security_events_append_only()')
    with op.batch_alter_table('security_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_security_events_user_id'))
        batch_op.drop_index(batch_op.f('ix_security_events_kind'))
        batch_op.drop_index(batch_op.f('ix_security_events_at'))
        batch_op.drop_index(batch_op.f('ix_security_events_actor_id'))
    op.drop_table('security_events')
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_login_failures_email_at')
        batch_op.drop_index(batch_op.f('ix_login_failures_at'))
    op.drop_table('login_failures')
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
    op.drop_table('user_sessions')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('password_changed_at')
        batch_op.drop_column('password_temporary')
