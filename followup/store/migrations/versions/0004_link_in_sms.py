"""Replies: `clients.link_in_sms`, the resident asked for their response link in SMS too.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('clients') as batch_op:
        batch_op.add_column(
            sa.Column('link_in_sms', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('clients') as batch_op:
        batch_op.drop_column('link_in_sms')
