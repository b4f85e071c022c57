"""The dashboard's answer rates: `call_answer_counts`, calls to residents and how many were
answered per local month the follow-up opened, wijk, and local weekday and hour the call was
placed. Filled here from the calls already finished; from now on counted as each call's final
status is stored.

Revision ID: 0007
Revises: 0006
"""

from collections import Counter
from dataclasses import asdict, astuple

import sqlalchemy as sa
from alembic import op

from followup.rules.call_answers import answered, call_slot
from followup.settings import Settings
from followup.store.types import UTCDateTime

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

FINAL_CALL_STATUSES = ('completed', 'busy', 'no-answer', 'failed', 'canceled')
FINISHED_CALLS = sa.text(
    "SELECT a.carrier_status, a.answered_by, COALESCE(a.sent_at, a.finished_at) AS placed,"
    " f.opened_at, c.wijk FROM attempts a JOIN follow_ups f ON f.id = a.follow_up_id"
    " JOIN clients c ON c.id = f.client_id"
    " WHERE a.channel = 'call' AND a.carrier_status IN :final"
    " AND COALESCE(a.sent_at, a.finished_at) IS NOT NULL"
).bindparams(
    sa.bindparam('final', FINAL_CALL_STATUSES, expanding=True),
)


def upgrade() -> None:
    counts = op.create_table(
        'call_answer_counts',
        sa.Column('opened_month', sa.String(length=7), nullable=False),
        sa.Column('wijk', sa.String(length=100), nullable=False),
        sa.Column('weekday', sa.SmallInteger(), nullable=False),
        sa.Column('hour', sa.SmallInteger(), nullable=False),
        sa.Column('calls', sa.Integer(), nullable=False),
        sa.Column('answered', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            'opened_month', 'wijk', 'weekday', 'hour', name=op.f('pk_call_answer_counts')
        ),
    )
    zone = Settings().zone
    calls, picked_up = Counter(), Counter()
    moments = {'placed': UTCDateTime(), 'opened_at': UTCDateTime()}
    # Read whole, not streamed: a server-side cursor would still be open in this session
    # when the next migration changes `attempts`, and PostgreSQL refuses that.
    finished = FINISHED_CALLS.columns(**moments)
    for status, answered_by, placed, opened_at, wijk in op.get_bind().execute(finished).all():
        slot = call_slot(placed, opened_at, wijk, zone)
        calls[slot] += 1
        picked_up[slot] += answered(status, answered_by)
    rows = [
        {**asdict(slot), 'calls': calls[slot], 'answered': picked_up[slot]}
        for slot in sorted(calls, key=astuple)
    ]
    if rows:
        op.bulk_insert(counts, rows)


def downgrade() -> None:
    op.drop_table('call_answer_counts')
