"""What a failed attempt leads to: a retry later, a number or address flagged wrong and the
next channel taking over, an opt-out, or nothing more (the ladder moves on). One place for
failures reported when sending, found by the reconciler, or told by delivery callbacks.

Works inside the caller's transaction, on an attempt the caller loaded and locked.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.carrier_errors import Failure
from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import (
    AttemptState,
    Channel,
    ContactStatus,
    FollowUpState,
    OptOutSource,
)
from followup.rules.planning_rules import PlanningRules
from followup.rules.retry import RetryPolicy
from followup.rules.targeting import choose_target
from followup.services.ports import Rejected
from followup.store.attempt_queue import cancel_attempts_of_closed
from followup.store.conflicts import insert_ignoring_conflicts
from followup.store.planning_queries import close_uncontactable
from followup.store.reachability import load_reach
from followup.store.tables import Attempt, Client, FollowUp, OptOut, PhoneNumber


@dataclass(frozen=True)
class Recovery:
    """When a retry or a fallback may go out: after the backoff, inside the contact window."""

    rules: PlanningRules
    calendar: ContactCalendar
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    jitter: Callable[[], float] = random.random

    def next_moment(self, channel: Channel, earliest: datetime) -> datetime:
        return self.calendar.next_open(earliest, self.rules.window_of(channel))


async def handle_failure(
    session: AsyncSession, attempt: Attempt, rejected: Rejected, now: datetime, recovery: Recovery
) -> None:
    attempt.error_code = rejected.code
    attempt.error_message = rejected.detail[:255]
    failure = rejected.failure
    if failure is Failure.UNCERTAIN:
        return  # stays `sending`: the reconciler asks the carrier before anything else
    if failure is Failure.ACCOUNT:
        # Our own credentials are wrong, not this resident's data: not a try of theirs.
        _requeue(attempt, attempt.due_at)
        attempt.tries -= 1
        return
    if failure is Failure.TRANSIENT:
        await _retry(session, attempt, now, recovery)
        return
    _finish(attempt, now)
    if failure is Failure.PERMANENT:
        return
    if failure is Failure.OPTED_OUT:
        await session.execute(
            insert_ignoring_conflicts(session, OptOut.__table__).values(
                client_id=await _client_id(session, attempt),
                source=OptOutSource.CARRIER.value,
                created_at=now,
            )
        )
    else:
        await _flag(session, attempt, rejected, now)
        await _fall_back(session, attempt, now, recovery)
    if await close_uncontactable(session, now, [attempt.follow_up_id]):
        await cancel_attempts_of_closed(session, now, [attempt.follow_up_id])


def _finish(attempt: Attempt, now: datetime) -> None:
    attempt.state = AttemptState.FAILED
    attempt.finished_at = now


def _requeue(attempt: Attempt, due_at: datetime) -> None:
    attempt.state = AttemptState.QUEUED
    attempt.due_at = due_at
    attempt.sending_at = None


async def _retry(
    session: AsyncSession, attempt: Attempt, now: datetime, recovery: Recovery
) -> None:
    delay = recovery.policy.next_delay(Failure.TRANSIENT, attempt.tries, recovery.jitter())
    if delay is None:
        _finish(attempt, now)
        attempt.error_message = f"{attempt.error_message} (opgegeven na {attempt.tries} keer)"[:255]
        return
    due = recovery.next_moment(attempt.channel, now + delay)
    if attempt.carrier_sid or attempt.agent_leg_sid:
        # The carrier has this one under its SID: a new attempt carries the next try.
        _finish(attempt, now)
        await follow_on(session, attempt, attempt.channel, due, attempt.tries, now)
    else:
        _requeue(attempt, due)


async def follow_on(
    session: AsyncSession,
    failed: Attempt,
    channel: Channel,
    due: datetime,
    tries: int,
    now: datetime,
) -> None:
    """A new attempt that takes over from `failed`, unless one already did (a callback that
    came twice) or the follow-up closed meanwhile."""
    still_open = await session.scalar(
        sa.select(FollowUp.state == FollowUpState.OPEN).where(FollowUp.id == failed.follow_up_id)
    )
    if not still_open:
        return
    await session.execute(
        insert_ignoring_conflicts(session, Attempt.__table__).values(
            follow_up_id=failed.follow_up_id,
            round_id=failed.round_id,
            replaces_id=failed.id,
            channel=channel.value,
            purpose=failed.purpose.value,
            state=AttemptState.QUEUED.value,
            due_at=due,
            tries=tries,
            created_at=now,
        )
    )


async def _client_id(session: AsyncSession, attempt: Attempt) -> int:
    return await session.scalar(
        sa.select(FollowUp.client_id).where(FollowUp.id == attempt.follow_up_id)
    )


async def _flag(session: AsyncSession, attempt: Attempt, rejected: Rejected, now: datetime) -> None:
    """Keep the evidence with the number or address, so it is never used again and a
    coordinator can see why."""
    if attempt.channel is Channel.EMAIL:
        await session.execute(
            sa.update(Client)
            .where(Client.id == await _client_id(session, attempt))
            .values(email_status=ContactStatus.INVALID, email_invalid_detail=rejected.detail)
        )
        return
    if attempt.phone_number_id is None:
        return
    if rejected.failure is Failure.NOT_MOBILE:
        change = {"sms_blocked": True}
    else:
        change = {
            "status": ContactStatus.INVALID,
            "invalid_reason": f"carrier_{rejected.code}" if rejected.code else "carrier",
            "invalid_source": rejected.source,
            "invalid_detail": rejected.detail,
        }
    await session.execute(
        sa.update(PhoneNumber)
        .where(PhoneNumber.id == attempt.phone_number_id)
        .values(status_changed_at=now, **change)
    )


async def _fall_back(
    session: AsyncSession, attempt: Attempt, now: datetime, recovery: Recovery
) -> None:
    """The next channel takes over the failed attempt's purpose: another number, or
    e-mail for a message. Nothing left: the ladder goes on with what there is."""
    client_id = await _client_id(session, attempt)
    reach = (await load_reach(session, [client_id]))[client_id]
    target = None if reach.opted_out else choose_target(attempt.purpose, reach)
    if target is not None:
        due = recovery.next_moment(target.channel, now)
        await follow_on(session, attempt, target.channel, due, 0, now)
