"""A resident's part of the day to be called in: kept on the client, and their calls already
queued moved to it."""

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import AttemptPurpose, AttemptState, FollowUpState
from followup.rules.planning_rules import DayPart
from followup.store.tables import Attempt, Client, FollowUp


async def keep_call_part(
    session: AsyncSession,
    client_id: int,
    part: DayPart,
    moved: Callable[[datetime], datetime],
    now: datetime,
) -> int:
    """Keep the choice, and move the client's ladder calls still waiting for an agent to
    `moved(due_at)`; a callback they asked for stays due now. How many calls moved."""
    await session.execute(
        sa.update(Client).where(Client.id == client_id).values(call_part=part, updated_at=now)
    )
    waiting = await session.execute(
        sa.select(Attempt.id, Attempt.due_at)
        .join(FollowUp, FollowUp.id == Attempt.follow_up_id)
        .where(
            FollowUp.client_id == client_id,
            FollowUp.state == FollowUpState.OPEN,
            Attempt.state == AttemptState.QUEUED,
            Attempt.purpose == AttemptPurpose.CALL,
            Attempt.agent_id.is_(None),  # an agent holds it: theirs to make now
        )
        .with_for_update()
    )
    rows = waiting.all()
    for attempt_id, due_at in rows:
        await session.execute(
            sa.update(Attempt).where(Attempt.id == attempt_id).values(due_at=moved(due_at))
        )
    return len(rows)
