"""Erasure: the digests that keep an erased resident's opt-out, and phone numbers indexed by
client so an erasure finds all of a client's numbers, retired ones too.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('opt_out_hashes',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_opt_out_hashes'))
    )
    op.create_index(op.f('ix_phone_numbers_client_id'), 'phone_numbers', ['client_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_phone_numbers_client_id'), table_name='phone_numbers')
    op.drop_table('opt_out_hashes')
