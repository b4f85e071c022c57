"""What pacing needs to know: follow-ups opened since the week began, the due residents still
waiting their turn, the wijken there are, and the dialer's queue per channel."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import AttemptState, Channel
from followup.rules.pacing import Waiting
from followup.store.new_follow_ups import due_conversations
from followup.store.tables import Attempt, Client, FollowUp


async def opened_between(session: AsyncSession, start: datetime, end: datetime) -> dict[str, int]:
    """Follow-ups opened from `start` up to `end`, per wijk (closed at once or not)."""
    rows = await session.execute(
        sa.select(Client.wijk, sa.func.count())
        .join(FollowUp, FollowUp.client_id == Client.id)
        .where(FollowUp.opened_at >= start, FollowUp.opened_at < end)
        .group_by(Client.wijk)
    )
    return {wijk: count for wijk, count in rows}


async def waiting_residents(session: AsyncSession, today: date) -> list[Waiting]:
    """Due residents without a follow-up yet, counted per wijk and due date."""
    due = due_conversations(today).subquery()
    rows = await session.execute(
        sa.select(due.c.wijk, due.c.due_on, sa.func.count()).group_by(due.c.wijk, due.c.due_on)
    )
    return [Waiting(wijk, due_on, count) for wijk, due_on, count in rows]


async def known_wijken(session: AsyncSession) -> set[str]:
    return set(await session.scalars(sa.select(Client.wijk).distinct()))


@dataclass(frozen=True, slots=True)
class ChannelQueue:
    due_now: int = 0  # queued and due: goes out as soon as the channel's window is open
    due_later: int = 0
    sending: int = 0  # handed to the carrier or mail server, no answer yet


async def channel_queues(session: AsyncSession, now: datetime) -> dict[Channel, ChannelQueue]:
    due = Attempt.due_at <= now
    rows = await session.execute(
        sa.select(
            Attempt.channel,
            sa.func.count().filter(Attempt.state == AttemptState.QUEUED, due),
            sa.func.count().filter(Attempt.state == AttemptState.QUEUED, ~due),
            sa.func.count().filter(Attempt.state == AttemptState.SENDING),
        )
        .where(Attempt.state.in_([AttemptState.QUEUED, AttemptState.SENDING]))
        .group_by(Attempt.channel)
    )
    found = {Channel(channel): ChannelQueue(*counts) for channel, *counts in rows}
    return {channel: found.get(channel, ChannelQueue()) for channel in Channel}
