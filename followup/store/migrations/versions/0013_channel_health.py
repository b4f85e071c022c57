"""Channel health: whether the carrier or the mail server is failing, written by the dialer
and read by /healthz and the pages, which may run in other processes.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'channel_health',
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('failing_since', sa.DateTime(timezone=True), nullable=True),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_error_kind', sa.String(length=32), nullable=True),
        sa.Column('last_try', sa.DateTime(timezone=True), nullable=True),
        sa.Column('next_try', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('channel', name=op.f('pk_channel_health')),
    )


def downgrade() -> None:
    op.drop_table('channel_health')
