"""The reach report from one table: each follow-up keeps the wijk it was done in, its
outcome's category, reason, source and recorder, the channels it was tried on (a bit each)
and the last ladder step of its running round that went out, kept by triggers on follow_ups, outcomes and attempts (store/follow_up_facts.py).
Filled in here from the rows as they are, in one set-based UPDATE.

Plain columns, copies of columns that carry their own checks and foreign key: SQLite adds and
drops them in place. Changing a constraint would make Alembic copy `follow_ups` into a new
table, and with foreign keys on, dropping the old one deletes every attempt, round and
outcome through their ON DELETE CASCADE.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from followup.store.follow_up_facts import BACKFILL, create_triggers, drop_triggers

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# The reach report reads each grouping from an index: its key, then state and outcome; the
# one on opened_at holds every key, for a period's figures, and replaces 0008's.
COUNTS = ['state', 'outcome_category', 'outcome_reason']
REPORT_INDEXES = {
    'opened_at': ['opened_at', *COUNTS, 'wijk', 'round_number', 'outcome_by_id', 'channels', 'outcome_source'],
    'wijk': ['wijk', *COUNTS],
    'round': ['round_number', *COUNTS],
    'agent': ['outcome_by_id', *COUNTS, 'outcome_source'],
    'channels': ['channels', *COUNTS],
}
COLUMNS = ('wijk', 'outcome_category', 'outcome_reason', 'outcome_source', 'outcome_by_id', 'channels', 'step_sent')


def upgrade() -> None:
    op.add_column('follow_ups', sa.Column('wijk', sa.String(length=100), nullable=True))
    for name in ('outcome_category', 'outcome_reason', 'outcome_source'):
        op.add_column('follow_ups', sa.Column(name, sa.String(length=32), nullable=True))
    op.add_column('follow_ups', sa.Column('outcome_by_id', sa.Integer(), nullable=True))
    op.add_column('follow_ups', sa.Column('channels', sa.SmallInteger(), server_default='0', nullable=False))
    op.add_column('follow_ups', sa.Column('step_sent', sa.Integer(), nullable=True))
    for statement in create_triggers(op.get_bind().dialect.name):
        op.execute(statement)
    op.execute(BACKFILL)
    op.drop_index('ix_follow_ups_opened_at', table_name='follow_ups')
    for name, columns in REPORT_INDEXES.items():
        op.create_index(f'ix_follow_ups_report_{name}', 'follow_ups', columns, unique=False)
    op.create_index(
        'ix_follow_ups_report_open', 'follow_ups', ['round_number', 'step_sent', 'opened_at', 'wijk'],
        unique=False,
        sqlite_where=sa.text("state = 'open'"), postgresql_where=sa.text("state = 'open'"),
    )


def downgrade() -> None:
    op.drop_index('ix_follow_ups_report_open', table_name='follow_ups')
    for name in REPORT_INDEXES:
        op.drop_index(f'ix_follow_ups_report_{name}', table_name='follow_ups')
    op.create_index('ix_follow_ups_opened_at', 'follow_ups', ['opened_at'], unique=False)
    for statement in drop_triggers(op.get_bind().dialect.name):
        op.execute(statement)
    for name in reversed(COLUMNS):
        op.drop_column('follow_ups', name)
