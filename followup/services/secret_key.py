"""The key that signs sessions and response links: configured, or generated once and kept
in the database so that every process of one installation agrees on it."""

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.store.conflicts import insert_ignoring_conflicts
from followup.store.tables import AppSetting

SECRET_KEY = "secret_key"


async def ensure_secret_key(
    sessions: async_sessionmaker[AsyncSession], configured: str | None, now: datetime
) -> str:
    if configured:
        return configured
    async with sessions() as session, session.begin():
        stored = await session.get(AppSetting, SECRET_KEY)
        if stored is not None:
            return stored.value
        await session.execute(
            insert_ignoring_conflicts(session, AppSetting).values(
                key=SECRET_KEY, value=secrets.token_urlsafe(48), updated_at=now
            )
        )
        # Another process may have won the race: read back whatever was stored.
        return await session.scalar(sa.select(AppSetting.value).where(AppSetting.key == SECRET_KEY))
