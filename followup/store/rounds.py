"""Rounds as queries shared by the planner and the console."""

import sqlalchemy as sa

from followup.store.tables import Round


def latest_round_of(follow_up_id: int) -> sa.Select:
    """The follow-up's latest round: where an attempt outside the ladder's steps belongs."""
    return (
        sa.select(Round.id)
        .where(Round.follow_up_id == follow_up_id)
        .order_by(Round.number.desc())
        .limit(1)
    )
