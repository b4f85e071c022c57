"""The dialer's side of the queue: claim due attempts without two workers taking the same
one, read what is needed to send them, and write back many results in one round trip.

PostgreSQL claims with `FOR UPDATE SKIP LOCKED`, so workers pass each other by; SQLite
has one writer at a time (the engine begins every transaction IMMEDIATE), where the
clause is left out.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from followup.rules.domain import (
    AttemptPurpose,
    AttemptState,
    Channel,
    FollowUpState,
    MessageDirection,
)
from followup.store.attempt_progress import update_attempts
from followup.store.rows import insert_ignoring_conflicts
from followup.store.staff_tables import User
from followup.store.tables import Attempt, Client, FollowUp, PhoneNumber, Round, SmsMessage
from followup.store.wrap_ups import held_for_wrap_up

ATTEMPTS = Attempt.__table__


@dataclass(frozen=True, slots=True)
class AttemptRow:
    id: int
    follow_up_id: int
    client_id: int
    channel: Channel
    purpose: AttemptPurpose
    round_number: int
    tries: int
    contactable: bool  # the follow-up is open and the client's data not erased
    agent_phone: str | None
    phone_number_id: int | None
    to_address: str | None
    link_in_sms: bool
    due_at: datetime  # also dates the response link, so a message renders the same later
    message: str | None  # an agent's own SMS text
    announces_call_at: datetime | None  # an opening message: when it says the first call comes


def _agent_ready() -> sa.Exists:
    """A call waits until an agent has taken it and can be rung."""
    agent = aliased(User)  # the outer query joins users too
    return sa.exists().where(
        agent.id == Attempt.agent_id, agent.phone.is_not(None), agent.disabled_at.is_(None)
    )


def _rows() -> sa.Select:
    return (
        sa.select(
            Attempt.id,
            Attempt.follow_up_id,
            FollowUp.client_id,
            Attempt.channel,
            Attempt.purpose,
            sa.func.coalesce(Round.number, 1),
            Attempt.tries,
            sa.and_(FollowUp.state == FollowUpState.OPEN, Client.erased_at.is_(None)),
            User.phone,
            Attempt.phone_number_id,
            Attempt.to_address,
            Client.link_in_sms,
            Attempt.due_at,
            Attempt.message,
            Attempt.announces_call_at,
        )
        .join(FollowUp, FollowUp.id == Attempt.follow_up_id)
        .join(Client, Client.id == FollowUp.client_id)
        .outerjoin(Round, Round.id == Attempt.round_id)
        .outerjoin(User, User.id == Attempt.agent_id)
    )


async def _fetch(session: AsyncSession, query: sa.Select) -> list[AttemptRow]:
    return [AttemptRow(*row[:7], bool(row[7]), *row[8:]) for row in await session.execute(query)]


async def lock_due(
    session: AsyncSession, now: datetime, channels: Collection[Channel], limit: int
) -> list[AttemptRow]:
    """Up to `limit` due attempts on `channels`, oldest first, locked for this transaction
    and skipped by every other worker until it ends."""
    if not channels:
        return []
    query = (
        _rows()
        .where(
            Attempt.state == AttemptState.QUEUED,
            Attempt.due_at <= now,
            Attempt.channel.in_(sorted(channels)),
            sa.or_(Attempt.channel != Channel.CALL, _agent_ready()),
            # An answered call waits for the agent's result: until then only the agent acts.
            sa.or_(Attempt.agent_id.is_not(None), ~held_for_wrap_up(Attempt.follow_up_id)),
        )
        .order_by(Attempt.due_at, Attempt.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Attempt)
    )
    return await _fetch(session, query)


async def wait_for_changes_to(session: AsyncSession, attempt_ids: Collection[int]) -> None:
    """On PostgreSQL, wait until any transaction that locked these attempts' follow-ups (an
    agent marking care, an outcome) has ended, so the statements after this one see what it
    did. SQLite runs one writer at a time, so there is nothing to wait for."""
    of_attempts = sa.select(Attempt.follow_up_id).where(Attempt.id.in_(attempt_ids))
    await session.execute(
        sa.select(FollowUp.id).where(FollowUp.id.in_(of_attempts)).with_for_update(read=True)
    )


async def attempt_rows(session: AsyncSession, ids: Collection[int]) -> list[AttemptRow]:
    return await _fetch(session, _rows().where(Attempt.id.in_(ids)).order_by(Attempt.id))


async def finish(
    session: AsyncSession,
    ids: Collection[int],
    state: AttemptState,
    reason: str,
    now: datetime,
    *,
    still: AttemptState | None = None,
) -> None:
    """Attempts that will not be sent: cancelled (the ladder stops) or failed (it moves on);
    with `still`, only those that are still in that state."""
    if not ids:
        return
    reason_column = "cancelled_reason" if state is AttemptState.CANCELLED else "error_message"
    in_state = Attempt.state == still if still is not None else sa.true()
    await session.execute(
        sa.update(Attempt)
        .where(Attempt.id.in_(ids), in_state)
        .values(state=state, finished_at=now, **{reason_column: reason})
        .execution_options(synchronize_session=False)
    )


async def stale_sending(session: AsyncSession, before: datetime, limit: int) -> list[int]:
    """Attempts stored as `sending` before `before`: their worker died or heard nothing."""
    query = (
        sa.select(Attempt.id)
        .where(Attempt.state == AttemptState.SENDING, Attempt.sending_at <= before)
        .order_by(Attempt.sending_at)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Attempt)
    )
    return list(await session.scalars(query))


async def mark_looked_up(session: AsyncSession, number_ids: Collection[int], now: datetime) -> None:
    """The carrier's Lookup was asked about these numbers: not again."""
    if number_ids:
        await session.execute(
            sa.update(PhoneNumber)
            .where(PhoneNumber.id.in_(number_ids))
            .values(looked_up_at=now)
            .execution_options(synchronize_session=False)
        )


async def not_looked_up(session: AsyncSession, ids: Collection[int]) -> set[int]:
    if not ids:
        return set()
    rows = await session.scalars(
        sa.select(PhoneNumber.id).where(PhoneNumber.id.in_(ids), PhoneNumber.looked_up_at.is_(None))
    )
    return set(rows)


async def known_sids(
    session: AsyncSession, channel: Channel, to: str, agent_phone: str | None
) -> set[str]:
    """Every carrier SID already recorded for this address: a message or call found at the
    carrier under one of these belongs to another attempt. A call is looked for by the
    agent's phone, which the carrier rang first."""
    if channel is Channel.CALL:
        query = (
            sa.select(Attempt.agent_leg_sid)
            .join(User, User.id == Attempt.agent_id)
            .where(User.phone == agent_phone, Attempt.agent_leg_sid.is_not(None))
        )
    else:
        query = sa.select(Attempt.carrier_sid).where(
            Attempt.to_address == to, Attempt.carrier_sid.is_not(None)
        )
    return set(await session.scalars(query))


@dataclass(frozen=True, slots=True)
class Sent:
    """An attempt the carrier took: its SID is its name for the message, or for the call's
    first leg, which rings the agent (the resident's leg gets its SID in a callback)."""

    attempt_id: int
    client_id: int
    channel: Channel
    number_id: int | None
    to: str
    body: str
    sid: str
    status: str


async def record_sent(
    session: AsyncSession, sent: Sequence[Sent], now: datetime, sms_from: str
) -> None:
    """Attempts still `sending` become `sent`; each SMS is kept with its text."""
    still_sending = ATTEMPTS.c.state == AttemptState.SENDING.value
    calls = [s for s in sent if s.channel is Channel.CALL]
    others = [s for s in sent if s.channel is not Channel.CALL]
    await update_attempts(
        session,
        [{"id": s.attempt_id, "agent_leg_sid": s.sid} for s in calls],
        still_sending,
        state=AttemptState.SENT,
        sent_at=now,
    )
    await update_attempts(
        session,
        [{"id": s.attempt_id, "carrier_sid": s.sid, "carrier_status": s.status} for s in others],
        still_sending,
        state=AttemptState.SENT,
        sent_at=now,
    )
    texts = [
        {
            "direction": MessageDirection.OUTBOUND.value,
            "client_id": s.client_id,
            "phone_number_id": s.number_id,
            "attempt_id": s.attempt_id,
            "carrier_sid": s.sid,
            "from_number": sms_from,
            "to_number": s.to,
            "body": s.body,
            "needs_review": False,
            "created_at": now,
        }
        for s in others
        if s.channel is Channel.SMS
    ]
    if texts:
        # The reconciler may have recorded the same message first.
        await session.execute(insert_ignoring_conflicts(session, SmsMessage.__table__), texts)


async def forget_announcements(session: AsyncSession, attempt_ids: Collection[int]) -> None:
    await session.execute(
        sa.update(Attempt)
        .where(Attempt.id.in_(attempt_ids))
        .values(announces_call_at=None)
        .execution_options(synchronize_session=False)
    )
