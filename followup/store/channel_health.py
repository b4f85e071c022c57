"""Whether each channel's service (the carrier for SMS and calls, the mail server for e-mail)
is failing, kept in the database: the dialer may run in another process than the web app,
and `/healthz` and the pages read it there. One row per channel, written by the dispatcher."""

from collections.abc import Collection
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from followup.rules.domain import AttemptState, Channel
from followup.rules.outages import ChannelHealth
from followup.store.model_base import Base
from followup.store.tables import Attempt


class ChannelHealthRow(Base):
    __tablename__ = "channel_health"

    channel: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    failing_since: Mapped[datetime | None]
    failures: Mapped[int] = mapped_column(default=0)
    last_error_kind: Mapped[str | None] = mapped_column(sa.String(32))
    last_try: Mapped[datetime | None]
    next_try: Mapped[datetime | None]


TABLE = ChannelHealthRow.__table__
_FIELDS = ("failing_since", "failures", "last_error_kind", "last_try", "next_try")


async def load_health(session: AsyncSession) -> dict[Channel, ChannelHealth]:
    """Every channel, working unless a row says otherwise."""
    rows = (await session.execute(sa.select(TABLE))).all()
    known = {channel.value: channel for channel in Channel}
    stored = {
        known[row.channel]: ChannelHealth(
            known[row.channel], *(getattr(row, name) for name in _FIELDS)
        )
        for row in rows
        if row.channel in known
    }
    return {channel: stored.get(channel, ChannelHealth(channel)) for channel in Channel}


async def save_health(session: AsyncSession, health: Collection[ChannelHealth]) -> None:
    """Replace the rows of these channels (few rows, rarely written: no upsert needed)."""
    if not health:
        return
    await session.execute(sa.delete(TABLE).where(TABLE.c.channel.in_([h.channel for h in health])))
    await session.execute(
        sa.insert(TABLE),
        [
            {"channel": h.channel.value, **{name: getattr(h, name) for name in _FIELDS}}
            for h in health
        ],
    )


async def waiting(session: AsyncSession, channels: Collection[Channel], now: datetime) -> dict:
    """How many attempts on each of `channels` are due and waiting to be sent."""
    if not channels:
        return {}
    rows = await session.execute(
        sa.select(Attempt.channel, sa.func.count())
        .where(
            Attempt.state == AttemptState.QUEUED,
            Attempt.due_at <= now,
            Attempt.channel.in_(list(channels)),
        )
        .group_by(Attempt.channel)
    )
    counts = {Channel(channel): count for channel, count in rows}
    return {channel: counts.get(channel, 0) for channel in channels}
