"""The key that signs sessions and response links: configured, or generated once and kept
in the database so that every process of one installation agrees on it."""

import hmac
import secrets
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.store.app_settings import setting_once
from followup.store.unit_of_work import unit_of_work

SECRET_KEY = "secret_key"


async def ensure_secret_key(
    sessions: async_sessionmaker[AsyncSession], configured: str | None, now: datetime
) -> str:
    if configured:
        return configured
    async with unit_of_work(sessions) as uow:
        key = await setting_once(uow.session, SECRET_KEY, secrets.token_urlsafe(48), now)
        await uow.commit()
        return key


def sim_auth_token(secret_key: str) -> str:
    """The simulated carrier's auth token outside the demo: derived from the secret key, so
    every process of one installation signs and checks alike without sharing another
    secret, and one-way, so the token does not give the key away."""
    return hmac.new(secret_key.encode(), b"followup sim carrier auth token", "sha256").hexdigest()
