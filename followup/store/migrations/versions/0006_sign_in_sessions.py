"""Staff accounts: server-side sign-in sessions and failed sign-ins.

- `sign_in_sessions`: one per signed-in browser, the SHA-256 of its cookie's token, ended at
  once on sign-out, disabling or a password change.
- `sign_in_failures`: recent failed sign-ins per typed address and client address, for the
  temporary lock-out.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sign_in_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sign_in_sessions_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_sign_in_sessions_token_hash')),
    )
    op.create_index(op.f('ix_sign_in_sessions_user_id'), 'sign_in_sessions', ['user_id'], unique=False)
    op.create_table(
        'sign_in_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_failures')),
    )
    op.create_index('ix_sign_in_failures_email_at', 'sign_in_failures', ['email', 'at'], unique=False)
    op.create_index('ix_sign_in_failures_address_at', 'sign_in_failures', ['address', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_sign_in_failures_address_at', table_name='sign_in_failures')
    op.drop_index('ix_sign_in_failures_email_at', table_name='sign_in_failures')
    op.drop_table('sign_in_failures')
    op.drop_index(op.f('ix_sign_in_sessions_user_id'), table_name='sign_in_sessions')
    op.drop_table('sign_in_sessions')
