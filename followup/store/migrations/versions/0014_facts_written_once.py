"""The facts' triggers made cheap for the planner (store/follow_up_facts.py, TRIGGERS_0014):
one planning pass over 100,000 due residents took 18 s against 7 s before 0009, as every new
follow-up was written twice (its channel bit, then its wijk and conversation).

A channel now counts once an attempt on it went out, not when one was queued: a follow-up
whose queued call was cancelled by the resident's reply was never called. The channels are
worked out again from the attempts that went out (one UPDATE; on a large database it takes
minutes, see docs/deploy.md on upgrading).

Revision ID: 0014
Revises: 0013
"""

from alembic import op

from followup.store.follow_up_facts import (
    REPLACED_IN_0014,
    TRIGGERS_0014,
    channels_from_attempts,
    create_triggers,
    drop_triggers,
)

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    _replace(REPLACED_IN_0014, TRIGGERS_0014)
    op.execute(channels_from_attempts(went_out_only=True))


def downgrade() -> None:
    _replace(TRIGGERS_0014, REPLACED_IN_0014)
    op.execute(channels_from_attempts(went_out_only=False))


def _replace(old, new) -> None:
    dialect = op.get_bind().dialect.name
    for statement in [*drop_triggers(dialect, old), *create_triggers(dialect, new)]:
        op.execute(statement)
