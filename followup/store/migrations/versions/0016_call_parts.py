"""Announced calls: the part of the day a resident asked to be called in, and the moment an
opening message announced the first call for (rules/call_parts.py).

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


# Plain ALTER TABLE, no batch copy on SQLite: the triggers of 0009 and 0014 on attempts
# would not survive the table being copied and renamed.
def upgrade() -> None:
    op.add_column('clients', sa.Column('call_part', sa.String(length=16), nullable=True))
    op.add_column(
        'attempts', sa.Column('announces_call_at', sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.execute('ALTER TABLE attempts DROP COLUMN announces_call_at')
    op.execute('ALTER TABLE clients DROP COLUMN call_part')
