"""What a resident's answer changes, whichever way it reached us (an SMS, the response page,
an agent, the back office): an outcome that closes the follow-up, an opt-out, lifting one, or
a request to be called. Works inside the caller's transaction.

Exactly one outcome per follow-up: the first answer counts, a second one changes nothing, so a
repeated webhook or a page submitted twice is harmless.
"""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import (
    OUTCOME_SOURCE,
    OptOutSource,
    OutcomeCategory,
    OutcomeSource,
    UnreachableReason,
    may_lift,
)
from followup.store import opt_outs
from followup.store.attempt_queue import queue_callback
from followup.store.follow_ups import (
    OpenFollowUp,
    close_with_outcome,
    lock_open_follow_up_of_client,
    mark_callback_requested,
)
from followup.store.outcomes import insert_outcome


async def record_outcome(
    session: AsyncSession,
    follow_up_id: int,
    category: OutcomeCategory,
    now: datetime,
    *,
    source: OutcomeSource,
    reason: UnreachableReason | None = None,
    note: str | None = None,
    user_id: int | None = None,
) -> bool:
    """Close the follow-up with this outcome and stop its queued attempts. False when it had
    an outcome already (nothing changes)."""
    if not await insert_outcome(
        session,
        follow_up_id,
        category,
        now,
        source=source,
        reason=reason,
        note=note,
        user_id=user_id,
    ):
        return False
    await close_with_outcome(session, now, [follow_up_id])
    return True


async def opt_out(
    session: AsyncSession,
    client_id: int,
    now: datetime,
    *,
    source: OptOutSource,
    sms_message_id: int | None = None,
    user_id: int | None = None,
) -> None:
    """Never contact this resident again: recorded at once, and an open follow-up closes as
    `unreachable`/`opted_out` with its queued attempts stopped."""
    await opt_outs.record_opt_out(session, client_id, source, now, (sms_message_id, user_id))
    await close_as_withdrawn(session, client_id, now, OUTCOME_SOURCE[source], user_id)


async def close_as_withdrawn(
    session: AsyncSession,
    client_id: int,
    now: datetime,
    source: OutcomeSource,
    user_id: int | None = None,
) -> bool:
    """The resident's open follow-up, if any, closes as `unreachable`/`opted_out` with its
    queued attempts stopped: whether there was one."""
    follow_up = await lock_open_follow_up_of_client(session, client_id)
    if follow_up is None:
        return False
    await record_outcome(
        session,
        follow_up.id,
        OutcomeCategory.UNREACHABLE,
        now,
        source=source,
        reason=UnreachableReason.OPTED_OUT,
        user_id=user_id,
    )
    return True


async def lift_opt_out(
    session: AsyncSession, client_id: int, now: datetime, *, source: OptOutSource
) -> bool | None:
    """Lift the resident's own opt-out. True when lifted, None when there was none, False
    when it was recorded by a person and stays."""
    active = await opt_outs.lock_active_opt_out(session, client_id)
    if active is None:
        return None
    if not may_lift(source, active.source):
        return False
    await opt_outs.lift_opt_out(session, active.id, now, source)
    return True


async def request_callback(session: AsyncSession, follow_up: OpenFollowUp, now: datetime) -> None:
    """The resident asks to be called: the follow-up goes to the top of the agents' queue
    with a call due now (once: asking again does not queue a second call)."""
    await mark_callback_requested(session, follow_up.id, now)
    await queue_callback(session, follow_up.id, now)
