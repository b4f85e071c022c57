"""Use case: the agent picked up; whom to connect them to. Checked again at this moment,
because seconds or minutes passed since the call was placed: the resident may have opted
out, the number may have been proven wrong, or the follow-up closed."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.domain import AttemptState, ContactStatus, FollowUpState
from followup.store.reachability import opted_out
from followup.store.tables import Attempt, FollowUp, PhoneNumber


async def bridge_number(
    sessions: async_sessionmaker[AsyncSession], *, attempt_id: int, call_sid: str, now: datetime
) -> str | None:
    """The resident's number for the agent's call `call_sid`, or None when they must not be
    called now (the attempt then fails, and the ladder goes on with what is left)."""
    async with sessions() as session, session.begin():
        attempt = await session.get(Attempt, attempt_id, with_for_update=True)
        if attempt is None or attempt.agent_leg_sid not in (None, call_sid):
            return None
        if attempt.agent_leg_sid is None and attempt.state is AttemptState.SENDING:
            attempt.agent_leg_sid, attempt.state, attempt.sent_at = call_sid, AttemptState.SENT, now
        if attempt.agent_leg_sid != call_sid or attempt.state is not AttemptState.SENT:
            return None
        row = (
            await session.execute(
                sa.select(FollowUp.client_id, FollowUp.state, PhoneNumber.status)
                .join(PhoneNumber, PhoneNumber.id == attempt.phone_number_id)
                .where(FollowUp.id == attempt.follow_up_id)
            )
        ).one_or_none()
        if row is None:
            return None
        client_id, state, number_status = row
        if (
            state is FollowUpState.OPEN
            and number_status is ContactStatus.VALID
            and not await opted_out(session, [client_id])
        ):
            return attempt.to_address
        attempt.state = AttemptState.FAILED
        attempt.error_message = "niet meer te bellen"
        attempt.finished_at = now
        return None
