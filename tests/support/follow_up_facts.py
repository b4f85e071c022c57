"""What each follow-up keeps about itself (store/follow_up_facts.py), and the same facts
worked out again from the rows they come from, to prove the triggers kept them."""

import sqlalchemy as sa

from followup.store.follow_up_facts import CHANNEL_BITS
from followup.store.tables import Attempt, Client, FollowUp, Outcome, Round

KEPT = (
    FollowUp.wijk,
    FollowUp.outcome_category,
    FollowUp.outcome_reason,
    FollowUp.outcome_source,
    FollowUp.outcome_by_id,
    FollowUp.channels,
    FollowUp.step_sent,
)


async def kept_and_worked_out(sessions) -> tuple[dict[int, tuple], dict[int, tuple]]:
    """Per follow-up id: (wijk, category, reason, source, recorded by, bits of the channels an
    attempt went out on, last step sent in the running round), as kept on the follow-up, and
    as the client's wijk, the outcome, the attempts and the rounds say. Assumes no client
    moved to another wijk since their follow-up opened."""
    async with sessions() as session:
        kept = {
            row[0]: tuple(row[1:]) for row in await session.execute(sa.select(FollowUp.id, *KEPT))
        }
        sent: dict[tuple[int, int], int] = {}
        for follow_up_id, number, step in await session.execute(
            sa.select(Attempt.follow_up_id, Round.number, Attempt.step)
            .join(Round, Round.id == Attempt.round_id)
            .where(Attempt.sent_at.is_not(None), Attempt.step.is_not(None))
        ):
            sent[follow_up_id, number] = max(step, sent.get((follow_up_id, number), step))
        tried: dict[int, int] = {}
        for follow_up_id, channel in await session.execute(
            sa.select(Attempt.follow_up_id, Attempt.channel).where(Attempt.sent_at.is_not(None))
        ):
            tried[follow_up_id] = tried.get(follow_up_id, 0) | CHANNEL_BITS[channel]
        from_rows = sa.select(
            FollowUp.id,
            FollowUp.round_number,
            Client.wijk,
            Outcome.category,
            Outcome.reason,
            Outcome.source,
            Outcome.recorded_by_id,
        ).join(Client, Client.id == FollowUp.client_id)
        from_rows = from_rows.outerjoin(Outcome, Outcome.follow_up_id == FollowUp.id)
        worked_out = {
            row[0]: (*row[2:], tried.get(row[0], 0), sent.get((row[0], row[1])))
            for row in await session.execute(from_rows)
        }
    return kept, worked_out
