"""Settings kept in the database so every process of one installation agrees on them: the
planning rules coordinators change, and the generated secret key."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.store.rows import insert_ignoring_conflicts
from followup.store.staff_tables import AppSetting


async def read_setting(session: AsyncSession, key: str) -> str | None:
    return await session.scalar(sa.select(AppSetting.value).where(AppSetting.key == key))


async def write_setting(session: AsyncSession, key: str, value: str, now: datetime) -> None:
    """Replaces what was stored under `key`."""
    updated = await session.execute(
        sa.update(AppSetting).where(AppSetting.key == key).values(value=value, updated_at=now)
    )
    if updated.rowcount == 0:
        session.add(AppSetting(key=key, value=value, updated_at=now))


async def replace_setting(
    session: AsyncSession, key: str, was: str | None, value: str, now: datetime
) -> bool:
    """Replaces what is stored under `key` only if it is still `was` (None: nothing stored),
    in one statement, so two writers who read the same value cannot both win."""
    if was is None:
        inserted = await session.execute(
            insert_ignoring_conflicts(session, AppSetting).values(
                key=key, value=value, updated_at=now
            )
        )
        return inserted.rowcount == 1
    updated = await session.execute(
        sa.update(AppSetting)
        .where(AppSetting.key == key, AppSetting.value == was)
        .values(value=value, updated_at=now)
    )
    return updated.rowcount == 1


async def setting_once(session: AsyncSession, key: str, value: str, now: datetime) -> str:
    """What is stored under `key`, storing `value` first when nothing is: when two processes
    race, both get the winner's value."""
    await session.execute(
        insert_ignoring_conflicts(session, AppSetting).values(key=key, value=value, updated_at=now)
    )
    return await read_setting(session, key)


async def lock_setting(session: AsyncSession, key: str, default: str, now: datetime) -> str:
    """What is stored under `key` (storing `default` first when nothing is), locked until the
    transaction ends, so two changes made at once are applied one after the other."""
    await setting_once(session, key, default, now)
    return await session.scalar(
        sa.select(AppSetting.value).where(AppSetting.key == key).with_for_update()
    )
