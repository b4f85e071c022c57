"""The reach report at scale: attempts indexed by follow-up and channel, follow-ups by the
moment they opened.

`ix_attempts_follow_up_id_channel` replaces `ix_attempts_follow_up_id` (same leading column,
so every look-up by follow-up still uses it). Grouped by channel, the report reads each
channel a follow-up was tried on from this index alone, in follow-up order, instead of
sorting or hashing every attempt. `ix_follow_ups_opened_at` finds the first and last
follow-up (the report's months) without reading them all, and serves a period filter.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_attempts_follow_up_id_channel', 'attempts', ['follow_up_id', 'channel'], unique=False)
    op.drop_index('ix_attempts_follow_up_id', table_name='attempts')
    op.create_index('ix_follow_ups_opened_at', 'follow_ups', ['opened_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_follow_ups_opened_at', table_name='follow_ups')
    op.create_index('ix_attempts_follow_up_id', 'attempts', ['follow_up_id'], unique=False)
    op.drop_index('ix_attempts_follow_up_id_channel', table_name='attempts')
