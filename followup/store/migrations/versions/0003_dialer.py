"""Dialer: retries and fallbacks as attempts of their own, number lookups, agents' phones.

- `attempts.replaces_id`: the failed attempt a retry or a fallback takes over from; unique,
  so a callback that arrives twice can never start two retries.
- `phone_numbers.looked_up_at`: when the carrier's Lookup last confirmed the number.
- `clients.email_invalid_detail`: the mail server's answer that proved an address wrong.
- `users.phone`: the agent's own phone, which a click-to-call rings first.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('attempts') as batch_op:
        batch_op.add_column(sa.Column('replaces_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_attempts_replaces_id_attempts'), 'attempts', ['replaces_id'], ['id'], ondelete='SET NULL')
    op.create_index('uq_attempts_replaces_id', 'attempts', ['replaces_id'], unique=True, sqlite_where=sa.text('replaces_id IS NOT NULL'), postgresql_where=sa.text('replaces_id IS NOT NULL'))
    with op.batch_alter_table('phone_numbers') as batch_op:
        batch_op.add_column(sa.Column('looked_up_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('clients') as batch_op:
        batch_op.add_column(sa.Column('email_invalid_detail', sa.String(length=255), nullable=True))
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('phone')
    with op.batch_alter_table('clients') as batch_op:
        batch_op.drop_column('email_invalid_detail')
    with op.batch_alter_table('phone_numbers') as batch_op:
        batch_op.drop_column('looked_up_at')
    op.drop_index('uq_attempts_replaces_id', table_name='attempts')
    with op.batch_alter_table('attempts') as batch_op:
        batch_op.drop_constraint(op.f('fk_attempts_replaces_id_attempts'), type_='foreignkey')
        batch_op.drop_column('replaces_id')
