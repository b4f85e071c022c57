"""Conversations know they were followed up (a trigger on follow_ups keeps it), so the due
residents still waiting for their turn come from a partial index of the few not followed up,
not from an anti-join of every conversation with every follow-up.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from followup.store.follow_up_facts import FOLLOWED_UP, FOLLOWED_UP_BACKFILL

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        'conversations',
        sa.Column('followed_up', sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    for statement in FOLLOWED_UP.create(op.get_bind().dialect.name):
        op.execute(statement)
    op.execute(FOLLOWED_UP_BACKFILL)
    op.create_index(
        'ix_conversations_due_on_waiting', 'conversations', ['due_on'], unique=False,
        sqlite_where=sa.text('NOT followed_up'), postgresql_where=sa.text('NOT followed_up'),
    )


def downgrade() -> None:
    op.drop_index('ix_conversations_due_on_waiting', table_name='conversations')
    op.execute(FOLLOWED_UP.drop(op.get_bind().dialect.name))
    op.drop_column('conversations', 'followed_up')
