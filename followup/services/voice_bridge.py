"""Use case: the agent picked up; whom to connect them to. Checked again at this moment,
because seconds or minutes passed since the call was placed: the resident may have opted
out, the number may have been proven wrong, or the follow-up closed."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.attempt_failures import no_longer_callable
from followup.rules.carrier_status import adopt
from followup.rules.domain import AttemptState
from followup.store.attempt_progress import lock_attempts, write_progress
from followup.store.reachability import may_still_call
from followup.store.unit_of_work import unit_of_work


async def bridge_number(
    sessions: async_sessionmaker[AsyncSession], *, attempt_id: int, call_sid: str, now: datetime
) -> str | None:
    """The resident's number for the agent's call `call_sid`, or None when they must not be
    called now (the attempt then fails, and the ladder goes on with what is left)."""
    async with unit_of_work(sessions) as uow:
        connection = await uow.session.connection()
        attempt = (await lock_attempts(connection, [attempt_id])).get(attempt_id)
        if attempt is None or attempt.agent_leg_sid not in (None, call_sid):
            return None
        # The bridge may come before the dialer recorded the agent's leg.
        attempt = adopt(attempt, call_sid, now, agent_leg=True)
        ringing = attempt.agent_leg_sid == call_sid and attempt.state is AttemptState.SENT
        callable_now = ringing and await may_still_call(
            uow.session, attempt.follow_up_id, attempt.phone_number_id
        )
        if ringing and callable_now is False:
            attempt = no_longer_callable(attempt, now)
        await write_progress(connection, [attempt])
        await uow.commit()
        return attempt.to_address if callable_now else None
