"""Use cases around outages of the outside world: what the dispatcher last saw of each
channel's service, and what is failing now with how many attempts wait for it (for
`followup dispatch`, `/healthz` and the coordinators' pages)."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.domain import Channel
from followup.rules.outages import ChannelHealth
from followup.store.channel_health import load_health, save_health, waiting
from followup.store.unit_of_work import unit_of_work


@dataclass(frozen=True, slots=True)
class Outage:
    channel: Channel
    failing_since: datetime
    last_error_kind: str | None
    waiting: int  # attempts due and held until the service works again


async def read_health(sessions: async_sessionmaker[AsyncSession]) -> dict[Channel, ChannelHealth]:
    async with sessions() as session:
        return await load_health(session)


async def write_health(
    sessions: async_sessionmaker[AsyncSession], health: Collection[ChannelHealth]
) -> None:
    async with unit_of_work(sessions) as uow:
        await save_health(uow.session, health)
        await uow.commit()


async def current_outages(
    session: AsyncSession, now: datetime, channels: Collection[Channel] = tuple(Channel)
) -> list[Outage]:
    """The failing channels among `channels`, oldest outage first."""
    failing = [
        h for h in (await load_health(session)).values() if h.failing and h.channel in channels
    ]
    counts = await waiting(session, [h.channel for h in failing], now)
    return sorted(
        (
            Outage(h.channel, h.failing_since, h.last_error_kind, counts[h.channel])
            for h in failing
            if h.failing_since is not None
        ),
        key=lambda outage: outage.failing_since,
    )


async def outages(
    sessions: async_sessionmaker[AsyncSession],
    now: datetime,
    channels: Collection[Channel] = tuple(Channel),
) -> list[Outage]:
    async with sessions() as session:
        return await current_outages(session, now, channels)
