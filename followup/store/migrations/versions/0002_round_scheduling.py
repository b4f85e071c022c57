"""Round scheduling: when a follow-up's next round opens, and indexes for the planner.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('follow_ups') as batch_op:
        batch_op.add_column(sa.Column('next_round_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('ix_follow_ups_next_round_at_open', 'follow_ups', ['next_round_at'], unique=False, sqlite_where=sa.text("state = 'open'"), postgresql_where=sa.text("state = 'open'"))
    op.create_index('ix_rounds_closes_at_running', 'rounds', ['closes_at'], unique=False, sqlite_where=sa.text('closed_at IS NULL'), postgresql_where=sa.text('closed_at IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_rounds_closes_at_running', table_name='rounds')
    op.drop_index('ix_follow_ups_next_round_at_open', table_name='follow_ups')
    with op.batch_alter_table('follow_ups') as batch_op:
        batch_op.drop_column('next_round_at')
