"""Use case: the figures on the start page, as SQL aggregates (no personal data)."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.domain import ContactStatus
from followup.store.tables import Client, Conversation, PhoneNumber


@dataclass(frozen=True, slots=True)
class WijkFigures:
    wijk: str
    clients: int
    due: int


@dataclass(frozen=True, slots=True)
class Overview:
    clients: int
    due: int
    invalid_phones: int
    wijken: list[WijkFigures]


async def overview(sessions: async_sessionmaker[AsyncSession], today: date) -> Overview:
    due = sa.func.count(sa.distinct(Client.id)).filter(Conversation.due_on <= today)
    async with sessions() as session:
        rows = (
            await session.execute(
                sa.select(Client.wijk, sa.func.count(sa.distinct(Client.id)), due)
                .join(Conversation, Conversation.client_id == Client.id)
                .where(Client.erased_at.is_(None))
                .group_by(Client.wijk)
                .order_by(Client.wijk)
            )
        ).all()
        invalid = await session.scalar(
            sa.select(sa.func.count())
            .select_from(PhoneNumber)
            .where(PhoneNumber.status == ContactStatus.INVALID, PhoneNumber.retired_at.is_(None))
        )
    wijken = [WijkFigures(wijk, clients, due_count) for wijk, clients, due_count in rows]
    return Overview(
        clients=sum(w.clients for w in wijken),
        due=sum(w.due for w in wijken),
        invalid_phones=invalid or 0,
        wijken=wijken,
    )
