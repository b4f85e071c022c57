"""Residents correct their own contact details on the response page: a new mobile number
waits in `number_checks` for the code sent to it (store/tables.py NumberCheck).

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


# A new table only: nothing on attempts changes, so its triggers stay as they are.
def upgrade() -> None:
    op.create_table(
        'number_checks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('follow_up_id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('e164', sa.String(length=16), nullable=True),
        sa.Column('code_mac', sa.String(length=32), nullable=True),
        sa.Column('attempt_id', sa.Integer(), nullable=True),
        sa.Column('wrong_codes', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('result', sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(['follow_up_id'], ['follow_ups.id'], name=op.f('fk_number_checks_follow_up_id_follow_ups'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_number_checks_client_id_clients'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_number_checks_attempt_id_attempts'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_number_checks')),
    )
    op.create_index(op.f('ix_number_checks_follow_up_id'), 'number_checks', ['follow_up_id'], unique=False)
    op.create_index(op.f('ix_number_checks_client_id'), 'number_checks', ['client_id'], unique=False)


def downgrade() -> None:
    op.drop_table('number_checks')
