"""What a resident's answer changes, whichever way it reached us (an SMS, the response page,
an agent, the back office): an outcome that closes the follow-up, an opt-out, lifting one, or
a request to be called. Works inside the caller's transaction.

Exactly one outcome per follow-up: the first answer counts, a second one changes nothing, so a
repeated webhook or a page submitted twice is harmless.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import (
    AttemptPurpose,
    AttemptState,
    Channel,
    FollowUpState,
    OptOutSource,
    OutcomeCategory,
    OutcomeSource,
    UnreachableReason,
)
from followup.store.attempt_queue import cancel_attempts_of_closed
from followup.store.conflicts import insert_ignoring_conflicts
from followup.store.planning_queries import close_follow_ups_with_outcome
from followup.store.tables import Attempt, FollowUp, OptOut, Outcome, Round

# Opt-outs residents made themselves (an SMS to us or to the carrier, the response page) they
# may lift themselves; one recorded by an agent or the back office only a person lifts.
MADE_BY_RESIDENT = (OptOutSource.SMS, OptOutSource.CARRIER, OptOutSource.EMAIL_LINK)
OUTCOME_SOURCE = {
    OptOutSource.SMS: OutcomeSource.SMS,
    OptOutSource.EMAIL_LINK: OutcomeSource.EMAIL_LINK,
    OptOutSource.AGENT: OutcomeSource.AGENT,
    OptOutSource.BACK_OFFICE: OutcomeSource.BACK_OFFICE,
    OptOutSource.CARRIER: OutcomeSource.DIALER,
}


async def open_follow_up(session: AsyncSession, client_id: int) -> FollowUp | None:
    return await session.scalar(
        sa.select(FollowUp)
        .where(FollowUp.client_id == client_id, FollowUp.state == FollowUpState.OPEN)
        .with_for_update()
    )


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
    inserted = await session.execute(
        insert_ignoring_conflicts(session, Outcome.__table__).values(
            follow_up_id=follow_up_id,
            category=category.value,
            reason=reason.value if reason else None,
            source=source.value,
            recorded_by_id=user_id,
            recorded_at=now,
            note=note,
        )
    )
    if inserted.rowcount == 0:
        return False
    await close_follow_ups_with_outcome(session, now, [follow_up_id])
    await cancel_attempts_of_closed(session, now, [follow_up_id])
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
    await session.execute(
        insert_ignoring_conflicts(session, OptOut.__table__).values(
            client_id=client_id,
            source=source.value,
            sms_message_id=sms_message_id,
            recorded_by_id=user_id,
            created_at=now,
        )
    )
    follow_up = await open_follow_up(session, client_id)
    if follow_up is not None:
        await record_outcome(
            session,
            follow_up.id,
            OutcomeCategory.UNREACHABLE,
            now,
            source=OUTCOME_SOURCE[source],
            reason=UnreachableReason.OPTED_OUT,
            user_id=user_id,
        )


async def lift_opt_out(
    session: AsyncSession, client_id: int, now: datetime, *, source: OptOutSource
) -> bool | None:
    """Lift the resident's own opt-out. True when lifted, None when there was none, False
    when it was recorded by a person and stays."""
    active = await session.scalar(
        sa.select(OptOut)
        .where(OptOut.client_id == client_id, OptOut.lifted_at.is_(None))
        .with_for_update()
    )
    if active is None:
        return None
    if source in MADE_BY_RESIDENT and active.source not in MADE_BY_RESIDENT:
        return False
    active.lifted_at, active.lifted_source = now, source
    return True


async def request_callback(session: AsyncSession, follow_up: FollowUp, now: datetime) -> None:
    """The resident asks to be called: the follow-up goes to the top of the agents' queue
    with a call due now (once: asking again does not queue a second call)."""
    if follow_up.callback_requested_at is None:
        follow_up.callback_requested_at = now
    waiting = await session.scalar(
        sa.select(Attempt.id).where(
            Attempt.follow_up_id == follow_up.id,
            Attempt.purpose == AttemptPurpose.CALLBACK,
            Attempt.state.in_([AttemptState.QUEUED, AttemptState.SENDING]),
        )
    )
    if waiting is not None:
        return
    round_id = await session.scalar(
        sa.select(Round.id)
        .where(Round.follow_up_id == follow_up.id)
        .order_by(Round.number.desc())
        .limit(1)
    )
    session.add(
        Attempt(
            follow_up_id=follow_up.id,
            round_id=round_id,
            channel=Channel.CALL,
            purpose=AttemptPurpose.CALLBACK,
            state=AttemptState.QUEUED,
            due_at=now,
            created_at=now,
        )
    )
