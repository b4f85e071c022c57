"""Care signals: an agent marked that a resident needs care rather than a follow-up. Who
marked it and when, the named colleague who takes it on, their deadline, and the hand-off to
the WIJ-team (store/tables.py CareSignal).

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'care_signals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('follow_up_id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('marked_by_id', sa.Integer(), nullable=True),
        sa.Column('marked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('colleague_id', sa.Integer(), nullable=True),
        sa.Column('deadline', sa.Date(), nullable=False),
        sa.Column('handed_over_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('handed_over_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['follow_up_id'], ['follow_ups.id'], name=op.f('fk_care_signals_follow_up_id_follow_ups'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_care_signals_client_id_clients'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['marked_by_id'], ['users.id'], name=op.f('fk_care_signals_marked_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['colleague_id'], ['users.id'], name=op.f('fk_care_signals_colleague_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['handed_over_by_id'], ['users.id'], name=op.f('fk_care_signals_handed_over_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_care_signals')),
        sa.UniqueConstraint('follow_up_id', name=op.f('uq_care_signals_follow_up_id')),
    )
    op.create_index(op.f('ix_care_signals_client_id'), 'care_signals', ['client_id'], unique=False)
    op.create_index(op.f('ix_care_signals_colleague_id'), 'care_signals', ['colleague_id'], unique=False)


def downgrade() -> None:
    op.drop_table('care_signals')
