"""Use cases of the dialer: claim the attempts that are due, and record what the carrier
answered. Sending itself happens in between, in the dialer, outside any transaction.

At most once: an attempt is stored as `sending` (with the address it goes to) and committed
before the carrier is asked, and only an attempt still `sending` takes the answer.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.carrier_errors import Failure
from followup.rules.domain import AttemptState, Channel, MessageDirection
from followup.rules.targeting import Number, Target, choose_target
from followup.services.attempt_failures import handle_failure
from followup.services.outreach import Outreach
from followup.services.ports import Accepted, Outbound, Rejected, SendResult, Unsure
from followup.store import dispatch_queries as q
from followup.store.attempt_queue import cancel_attempts_of_closed
from followup.store.conflicts import insert_ignoring_conflicts
from followup.store.planning_queries import close_uncontactable
from followup.store.reachability import load_reach
from followup.store.tables import Attempt, PhoneNumber, SmsMessage

NO_ADDRESS = "no_address"


@dataclass(slots=True)
class Claimed:
    outbound: list[Outbound] = field(default_factory=list)
    cancelled: int = 0
    failed: int = 0


async def claim_due(
    sessions: async_sessionmaker[AsyncSession],
    *,
    now: datetime,
    channels: Collection[Channel],
    limit: int,
    outreach: Outreach,
) -> Claimed:
    """Claim up to `limit` due attempts on those of `channels` whose contact window is open
    now, and store them as `sending`. Attempts whose follow-up closed, whose client opted out or
    who has no usable address for them left are settled here instead of sent."""
    claimed = Claimed()
    rules, calendar = outreach.recovery.rules, outreach.recovery.calendar
    channels = {c for c in channels if calendar.is_open(now, rules.window_of(c))}
    async with sessions() as session, session.begin():
        rows = await q.lock_due(session, now, channels, limit)
        if not rows:
            return claimed
        reach = await load_reach(session, {row.client_id for row in rows})
        closed, unwanted, no_address, targeted = [], [], [], []
        for row in rows:
            target = choose_target(row.purpose, reach[row.client_id])
            if not row.contactable:
                closed.append(row.id)
            elif reach[row.client_id].opted_out:
                unwanted.append(row.id)
            elif target is None:
                no_address.append(row)
            else:
                targeted.append((row, target))
        await q.finish(session, closed, AttemptState.CANCELLED, "follow_up_closed", now)
        await q.finish(session, unwanted, AttemptState.CANCELLED, "opted_out", now)
        await q.finish(session, [r.id for r in no_address], AttemptState.FAILED, NO_ADDRESS, now)
        if no_address:
            # Nothing left to reach the client by: the follow-up closes now.
            follow_ups = {row.follow_up_id for row in no_address}
            if await close_uncontactable(session, now, follow_ups):
                await cancel_attempts_of_closed(session, now, follow_ups)
        to_look_up = (
            await q.not_looked_up(
                session, {t.number.id for _, t in targeted if t.channel is Channel.SMS}
            )
            if outreach.lookup_before_sms
            else set()
        )
        claimed.outbound = [
            outreach.outbound(
                row, target, target.number is not None and target.number.id in to_look_up
            )
            for row, target in targeted
        ]
        await q.update_each(
            session,
            [
                {
                    "id": row.id,
                    "channel": target.channel,
                    "phone_number_id": target.number.id if target.number else None,
                    "to_address": target.address,
                }
                for row, target in targeted
            ],
            state=AttemptState.SENDING,
            claimed_at=now,
            sending_at=now,
            tries=Attempt.__table__.c.tries + 1,
        )
    claimed.cancelled = len(closed) + len(unwanted)
    claimed.failed = len(no_address)
    return claimed


async def stale_sending(
    sessions: async_sessionmaker[AsyncSession],
    *,
    before: datetime,
    limit: int,
    outreach: Outreach,
) -> list[tuple[Outbound, set[str]]]:
    """Attempts left `sending` since before `before` (a worker died between the carrier's
    answer and its commit, or the answer was unclear), as they were sent, each with the
    carrier SIDs other attempts to the same address already have."""
    async with sessions() as session, session.begin():
        rows = await q.attempt_rows(session, await q.stale_sending(session, before, limit))
        found = []
        for row in rows:
            number = (
                Number(row.phone_number_id, row.to_address or "", True, True)
                if row.phone_number_id
                else None
            )
            target = Target(row.channel, number=number, email=row.to_address)
            known = await q.known_sids(session, row.channel, target.address, row.agent_phone)
            found.append((outreach.outbound(row, target), known))
    return found


@dataclass(slots=True)
class Recorded:
    sent: int = 0
    failed: int = 0
    unsure: int = 0
    stopped: bool = False  # the carrier refused our credentials or sender: stop sending


async def record_results(
    sessions: async_sessionmaker[AsyncSession],
    results: Sequence[tuple[Outbound, SendResult]],
    *,
    now: datetime,
    outreach: Outreach,
    looked_up: Collection[int] = (),
) -> Recorded:
    """What the carrier answered for each attempt; `looked_up` are the numbers the carrier's
    Lookup was asked about on the way."""
    recorded = Recorded()
    accepted = [(o, r) for o, r in results if isinstance(r, Accepted)]
    async with sessions() as session, session.begin():
        if looked_up:
            await session.execute(
                sa.update(PhoneNumber)
                .where(PhoneNumber.id.in_(looked_up))
                .values(looked_up_at=now)
                .execution_options(synchronize_session=False)
            )
        await _record_accepted(session, accepted, now, outreach.sms_from)
        recorded.sent = len(accepted)
        for outbound, result in results:
            if isinstance(result, Accepted):
                continue
            rejected = (
                Rejected(Failure.UNCERTAIN, None, result.detail)
                if isinstance(result, Unsure)
                else result
            )
            if rejected.failure is Failure.UNCERTAIN:
                recorded.unsure += 1
            elif rejected.failure is Failure.ACCOUNT:
                recorded.stopped = True
            else:
                recorded.failed += 1
            attempt = await session.get(Attempt, outbound.attempt_id, with_for_update=True)
            # A callback may have told the outcome first; its word stands.
            if attempt is not None and attempt.state is AttemptState.SENDING:
                await handle_failure(session, attempt, rejected, now, outreach.recovery)
    return recorded


async def _record_accepted(
    session: AsyncSession,
    accepted: Sequence[tuple[Outbound, Accepted]],
    now: datetime,
    sms_from: str,
) -> None:
    calls = [(o, r) for o, r in accepted if o.channel is Channel.CALL]
    others = [(o, r) for o, r in accepted if o.channel is not Channel.CALL]
    still_sending = Attempt.__table__.c.state == AttemptState.SENDING.value
    # A call's first leg rings the agent; the client's leg gets its SID in a callback.
    await q.update_each(
        session,
        [{"id": o.attempt_id, "agent_leg_sid": r.sid} for o, r in calls],
        still_sending,
        state=AttemptState.SENT,
        sent_at=now,
    )
    await q.update_each(
        session,
        [{"id": o.attempt_id, "carrier_sid": r.sid, "carrier_status": r.status} for o, r in others],
        still_sending,
        state=AttemptState.SENT,
        sent_at=now,
    )
    texts = [
        {
            "direction": MessageDirection.OUTBOUND.value,
            "client_id": o.client_id,
            "phone_number_id": o.number_id,
            "attempt_id": o.attempt_id,
            "carrier_sid": r.sid,
            "from_number": sms_from,
            "to_number": o.to,
            "body": o.body,
            "needs_review": False,
            "created_at": now,
        }
        for o, r in others
        if o.channel is Channel.SMS
    ]
    if texts:
        # The reconciler may have recorded the same message first.
        await session.execute(insert_ignoring_conflicts(session, SmsMessage.__table__), texts)
