"""Clients as a whole: found by the municipality's client number, and counted."""

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.store.tables import Client


async def client_id_of(session: AsyncSession, client_ref: str) -> int | None:
    return await session.scalar(sa.select(Client.id).where(Client.client_ref == client_ref))


async def any_clients(session: AsyncSession) -> bool:
    return await session.scalar(sa.select(sa.exists().where(Client.id.is_not(None))))
