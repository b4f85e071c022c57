"""Use cases of the dialer: claim the attempts that are due, and record what the carrier
answered. Sending itself happens in between, in the dialer, outside any transaction.

At most once: an attempt is stored as `sending` (with the address it goes to) and committed
before the carrier is asked, and only an attempt still `sending` takes the answer.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules import attempt_failures as failures
from followup.rules.attempt_failures import Recovery
from followup.rules.carrier_errors import Failure, Rejected, refused_at_sending
from followup.rules.domain import AttemptState, Channel
from followup.rules.ladder import CALL_AFTER_OPENING
from followup.rules.targeting import (
    Number,
    Target,
    Unsendable,
    own_address,
    stopped,
    target_at_claim,
)
from followup.services.attempt_failures import carry_out
from followup.services.outreach import Outreach
from followup.services.pacing import paused_channels
from followup.services.ports import Accepted, Outbound, SendResult, Unsure
from followup.store import dispatch_queries as q
from followup.store.attempt_progress import lock_attempts, update_attempts, write_progress
from followup.store.dispatch_queries import AttemptRow
from followup.store.planning_queries import close_uncontactable
from followup.store.reachability import load_reach
from followup.store.unit_of_work import unit_of_work

CANCELLING = (Unsendable.FOLLOW_UP_CLOSED, Unsendable.OPTED_OUT, Unsendable.CARE)


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
    now and that no coordinator paused, and store them as `sending`. Attempts whose follow-up
    closed, whose client opted out or who has no usable address for them left are settled here
    instead of sent."""
    rules, calendar = outreach.recovery.rules, outreach.recovery.calendar
    channels = {c for c in channels if calendar.is_open(now, rules.window_of(c))}
    async with unit_of_work(sessions) as uow:
        # Read per batch (one row by key): a pause holds from the next batch on.
        channels -= await paused_channels(uow.session)
        rows = await _without_passed_announcements(
            uow.session, await q.lock_due(uow.session, now, channels, limit), now
        )
        reach = await load_reach(uow.session, {row.client_id for row in rows})
        targeted: list[tuple[AttemptRow, Target]] = []
        unsendable: dict[Unsendable, list[AttemptRow]] = {reason: [] for reason in Unsendable}
        for row in rows:
            own = own_address(row.purpose, row.channel, row.phone_number_id, row.to_address)
            target = target_at_claim(row.purpose, reach[row.client_id], row.contactable, own)
            if isinstance(target, Unsendable):
                unsendable[target].append(row)
            else:
                targeted.append((row, target))
        await _settle_unsendable(uow.session, unsendable, now)
        claimed = Claimed(
            outbound=await _mark_sending(uow.session, targeted, now, outreach),
            cancelled=sum(len(unsendable[reason]) for reason in CANCELLING),
            failed=len(unsendable[Unsendable.NO_ADDRESS]),
        )
        await uow.commit()
    return claimed


async def still_to_send(
    sessions: async_sessionmaker[AsyncSession], batch: Sequence[Outbound], now: datetime
) -> list[Outbound]:
    """Asked again just before a claimed batch goes to the carrier: what happened since the
    claim (the resident was marked as needing care, opted out, or their follow-up closed)
    stops an attempt here, by the same rule as at the claim. The stopped ones are cancelled,
    if they are still `sending` (the reconciler may have settled one meanwhile)."""
    if not batch:
        return []
    async with unit_of_work(sessions) as uow:
        ids = [o.attempt_id for o in batch]
        # A mark made as the batch was claimed may not be committed yet: wait for it.
        await q.wait_for_changes_to(uow.session, ids)
        rows = await q.attempt_rows(uow.session, ids)
        reach = await load_reach(uow.session, {row.client_id for row in rows})
        why = {row.id: stopped(row.purpose, reach[row.client_id], row.contactable) for row in rows}
        for reason in CANCELLING:
            ids = [attempt_id for attempt_id, because in why.items() if because is reason]
            await q.finish(
                uow.session,
                ids,
                AttemptState.CANCELLED,
                reason.value,
                now,
                still=AttemptState.SENDING,
            )
        await uow.commit()
    return [o for o in batch if o.attempt_id in why and why[o.attempt_id] is None]


async def _settle_unsendable(
    session: AsyncSession, unsendable: dict[Unsendable, list[AttemptRow]], now: datetime
) -> None:
    for reason in CANCELLING:
        ids = [row.id for row in unsendable[reason]]
        await q.finish(session, ids, AttemptState.CANCELLED, reason.value, now)
    no_address = unsendable[Unsendable.NO_ADDRESS]
    await q.finish(
        session, [r.id for r in no_address], AttemptState.FAILED, Unsendable.NO_ADDRESS, now
    )
    if no_address:
        # Nothing left to reach the client by: the follow-up closes now.
        await close_uncontactable(session, now, {row.follow_up_id for row in no_address})


async def _mark_sending(
    session: AsyncSession,
    targeted: list[tuple[AttemptRow, Target]],
    now: datetime,
    outreach: Outreach,
) -> list[Outbound]:
    """Stored as `sending`, with where each goes, before the carrier is asked."""
    to_look_up = (
        await q.not_looked_up(
            session, {t.number.id for _, t in targeted if t.channel is Channel.SMS and t.number}
        )
        if outreach.lookup_before_sms
        else set()
    )
    await update_attempts(
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
        tries=q.ATTEMPTS.c.tries + 1,
    )
    return [
        outreach.outbound(row, target, target.number is not None and target.number.id in to_look_up)
        for row, target in targeted
    ]


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
    async with unit_of_work(sessions) as uow:
        rows = await q.attempt_rows(uow.session, await q.stale_sending(uow.session, before, limit))
        found = []
        for row in rows:
            number = (
                Number(row.phone_number_id, row.to_address or "", True, True)
                if row.phone_number_id
                else None
            )
            target = Target(row.channel, number=number, email=row.to_address)
            known = await q.known_sids(uow.session, row.channel, target.address, row.agent_phone)
            found.append((outreach.outbound(row, target), known))
        await uow.commit()
    return found


NOT_THE_ATTEMPTS = (Failure.UNCERTAIN, Failure.ACCOUNT, Failure.UNREACHABLE)


@dataclass(slots=True)
class Recorded:
    sent: int = 0
    failed: int = 0
    unsure: int = 0
    held: int = 0  # the carrier or mail server was down: back in the queue, no try counted


async def _without_passed_announcements(
    session: AsyncSession, rows: list[AttemptRow], now: datetime
) -> list[AttemptRow]:
    """An opening that goes out late (an outage, a paused channel) announces no call that is
    past or nearly so: the text goes, and renders again for the reconciler, without it."""
    late = {
        row.id
        for row in rows
        if row.announces_call_at and row.announces_call_at < now + CALL_AFTER_OPENING
    }
    if not late:
        return rows
    await q.forget_announcements(session, late)
    return [replace(row, announces_call_at=None) if row.id in late else row for row in rows]


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
    accepted = [(o, r) for o, r in results if isinstance(r, Accepted)]
    refused = [
        (o, Rejected(Failure.UNCERTAIN, None, r.detail) if isinstance(r, Unsure) else r)
        for o, r in results
        if not isinstance(r, Accepted)
    ]
    async with unit_of_work(sessions) as uow:
        await q.mark_looked_up(uow.session, looked_up, now)
        await q.record_sent(uow.session, [_sent(o, r) for o, r in accepted], now, outreach.sms_from)
        await _record_refused(uow.session, refused, now, outreach.recovery)
        await uow.commit()
    failures_by_kind = [rejected.failure for _, rejected in refused]
    return Recorded(
        sent=len(accepted),
        unsure=failures_by_kind.count(Failure.UNCERTAIN),
        held=failures_by_kind.count(Failure.UNREACHABLE),
        # Refusals of our own account stop the dialer, and outages hold the attempt: neither
        # is a failure of the attempt.
        failed=sum(f not in NOT_THE_ATTEMPTS for f in failures_by_kind),
    )


def _sent(outbound: Outbound, accepted: Accepted) -> q.Sent:
    return q.Sent(
        outbound.attempt_id,
        outbound.client_id,
        outbound.channel,
        outbound.number_id,
        outbound.to,
        outbound.body,
        accepted.sid,
        accepted.status,
    )


async def _record_refused(
    session: AsyncSession,
    refused: Sequence[tuple[Outbound, Rejected]],
    now: datetime,
    recovery: Recovery,
) -> None:
    connection = await session.connection()
    attempts = await lock_attempts(connection, {o.attempt_id for o, _ in refused})
    for outbound, rejected in refused:
        attempt = attempts.get(outbound.attempt_id)
        # A callback may have told the outcome first; its word stands.
        if attempt is None or attempt.state is not AttemptState.SENDING:
            continue
        at_sending = refused_at_sending(outbound.channel, rejected)
        decision = failures.decide(attempt, at_sending, now, recovery)
        await write_progress(connection, [decision.attempt])
        await carry_out(session, decision, now, recovery)
