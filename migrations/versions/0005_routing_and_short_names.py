"""the routing decision as data; short names of departments

Revision ID: 0005_routing_and_short_names
Revises: 0006_open_tickets_ids
Create Date: 2026-11-24 09:00:00

- tickets.routing (JSON, nullable): the routing decision of helpdesk/tickets/routing.py (rule,
  department, cadre and why), put into words in the reader's language when shown. Tickets routed
  before this revision keep their English `routing_reason` sentence, which is shown as recorded
  while `routing` is null (their next transfer, escalation or assignment stores a decision).
  Ticket events are append-only (a trigger refuses UPDATE): old events keep `routing_reason` in
  their data, new ones carry `routing`.
- departments.short_name / short_name_en: what charts call a department (自然资源局 / Natural
  Resources). Departments of the reference data get theirs from seeds/departments.json; any other
  keeps '' (the full name is shown) until an admin gives one.
"""
import json
from pathlib import Path

from alembic import op
import sqlalchemy as sa


revision = '0005_routing_and_short_names'
down_revision = '0006_open_tickets_ids'
branch_labels = None
depends_on = None

SEED = Path(__file__).resolve().parents[2] / 'seeds' / 'departments.json'


def _seeded_short_names() -> list[dict]:
    if not SEED.exists():
        return []
    return [
        {'jurisdiction_code': row['jurisdiction_code'], 'code': row['code'],
         'short_name': row.get('short_name', ''), 'short_name_en': row.get('short_name_en', '')}
        for row in json.loads(SEED.read_text(encoding='utf-8'))
    ]


def upgrade():
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('routing', sa.JSON(), nullable=True))
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('short_name', sa.String(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('short_name_en', sa.String(length=60), nullable=False, server_default=''))
    rows = _seeded_short_names()
    if rows:
        op.get_bind().execute(
            sa.text(
                "UPDATE departments SET short_name = :short_name, short_name_en = :short_name_en"
                " WHERE code = :code AND jurisdiction_id IN"
                " (SELECT id FROM jurisdictions WHERE code = :jurisdiction_code)"
            ),
            rows,
        )


def downgrade():
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_column('short_name_en')
        batch_op.drop_column('short_name')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_column('routing')
