"""Contact an agent starts from a resident's card: the call that is due anyway, or a call or
SMS of the agent's own, in the follow-up's latest round."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import AttemptPurpose, AttemptState, Channel
from followup.store.rounds import latest_round_of
from followup.store.tables import Attempt


async def assign_due_call(
    session: AsyncSession, follow_up_id: int, agent_id: int, now: datetime
) -> int | None:
    """The follow-up's call that is due and waits for an agent, now this agent's."""
    waiting = (
        sa.select(Attempt.id)
        .where(
            Attempt.follow_up_id == follow_up_id,
            Attempt.channel == Channel.CALL,
            Attempt.state == AttemptState.QUEUED,
            Attempt.agent_id.is_(None),
            Attempt.due_at <= now,
        )
        .order_by(Attempt.due_at, Attempt.id)
        .limit(1)
        .scalar_subquery()
    )
    taken = await session.execute(
        sa.update(Attempt)
        .where(Attempt.id == waiting, Attempt.agent_id.is_(None))
        .values(agent_id=agent_id)
        .returning(Attempt.id)
    )
    return taken.scalar()


async def queue_agent_attempt(
    session: AsyncSession,
    follow_up_id: int,
    agent_id: int,
    channel: Channel,
    now: datetime,
    *,
    message: str | None = None,
) -> int:
    """A call or SMS the agent makes now, outside the ladder's steps."""
    latest_round = latest_round_of(follow_up_id).scalar_subquery()
    purpose = AttemptPurpose.CALL if channel is Channel.CALL else AttemptPurpose.AGENT_MESSAGE
    return await session.scalar(
        sa.insert(Attempt)
        .values(
            follow_up_id=follow_up_id,
            round_id=latest_round,
            channel=channel,
            purpose=purpose,
            state=AttemptState.QUEUED,
            agent_id=agent_id,
            due_at=now,
            tries=0,
            message=message,
            created_at=now,
        )
        .returning(Attempt.id)
    )
