"""FOLLOWUP_SECRET_KEY: configured, or generated on first start and then always the same."""

import asyncio

import sqlalchemy as sa

from followup.services.secret_key import SECRET_KEY, ensure_secret_key
from followup.store.staff_tables import AppSetting
from tests.support.rows import NOW


async def test_generated_once_and_shared_by_every_process(sessions):
    first = await ensure_secret_key(sessions, None, NOW)
    assert len(first) >= 40
    racing = await asyncio.gather(*(ensure_secret_key(sessions, None, NOW) for _ in range(4)))
    assert set(racing) == {first}
    async with sessions() as session:
        stored = (
            await session.scalars(sa.select(AppSetting.value).where(AppSetting.key == SECRET_KEY))
        ).all()
    assert stored == [first]


async def test_a_configured_key_wins_and_is_not_stored(sessions):
    assert await ensure_secret_key(sessions, "from-the-environment", NOW) == "from-the-environment"
    async with sessions() as session:
        assert await session.get(AppSetting, SECRET_KEY) is None
