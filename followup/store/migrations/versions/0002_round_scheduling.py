"""Round scheduling: when a follow-up's next round opens, and indexes for the planner.

One follow-up per conversation ever and one open follow-up per client, so that planning
passes that overlap can never open the same follow-up twice, open or closed at once.

The unique keys on attempts' carrier SIDs become partial (only rows that have one), so the
planner's bulk inserts of waiting attempts do not maintain two indexes full of NULLs.

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
    op.drop_index('uq_follow_ups_client_id_conversation_id_open', table_name='follow_ups')
    op.create_index('uq_follow_ups_client_id_open', 'follow_ups', ['client_id'], unique=True, sqlite_where=sa.text("state = 'open'"), postgresql_where=sa.text("state = 'open'"))
    op.drop_index('ix_follow_ups_conversation_id', table_name='follow_ups')
    with op.batch_alter_table('follow_ups') as batch_op:
        batch_op.create_unique_constraint('uq_follow_ups_conversation_id', ['conversation_id'])
    with op.batch_alter_table('attempts') as batch_op:
        for column in ('carrier_sid', 'agent_leg_sid'):
            batch_op.drop_constraint(f'uq_attempts_{column}', type_='unique')
    for column in ('carrier_sid', 'agent_leg_sid'):
        op.create_index(f'uq_attempts_{column}', 'attempts', [column], unique=True, sqlite_where=sa.text(f'{column} IS NOT NULL'), postgresql_where=sa.text(f'{column} IS NOT NULL'))


def downgrade() -> None:
    with op.batch_alter_table('follow_ups') as batch_op:
        batch_op.drop_constraint('uq_follow_ups_conversation_id', type_='unique')
    op.create_index('ix_follow_ups_conversation_id', 'follow_ups', ['conversation_id'], unique=False)
    op.drop_index('uq_follow_ups_client_id_open', table_name='follow_ups')
    op.create_index('uq_follow_ups_client_id_conversation_id_open', 'follow_ups', ['client_id', 'conversation_id'], unique=True, sqlite_where=sa.text("state = 'open'"), postgresql_where=sa.text("state = 'open'"))
    for column in ('carrier_sid', 'agent_leg_sid'):
        op.drop_index(f'uq_attempts_{column}', table_name='attempts')
    with op.batch_alter_table('attempts') as batch_op:
        for column in ('carrier_sid', 'agent_leg_sid'):
            batch_op.create_unique_constraint(f'uq_attempts_{column}', [column])
    op.drop_index('ix_rounds_closes_at_running', table_name='rounds')
    op.drop_index('ix_follow_ups_next_round_at_open', table_name='follow_ups')
    with op.batch_alter_table('follow_ups') as batch_op:
        batch_op.drop_column('next_round_at')
