"""Residents' wishes not to be contacted: recorded, found and lifted. Active while
`lifted_at` is empty; one active opt-out per client (a unique index)."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import OptOutSource
from followup.store.conflicts import insert_ignoring_conflicts
from followup.store.tables import OptOut


@dataclass(frozen=True, slots=True)
class ActiveOptOut:
    id: int
    source: OptOutSource


async def record_opt_out(
    session: AsyncSession,
    client_id: int,
    now: datetime,
    *,
    source: OptOutSource,
    sms_message_id: int | None = None,
    user_id: int | None = None,
) -> None:
    """Nothing changes when the client has opted out already."""
    await session.execute(
        insert_ignoring_conflicts(session, OptOut.__table__).values(
            client_id=client_id,
            source=source.value,
            sms_message_id=sms_message_id,
            recorded_by_id=user_id,
            created_at=now,
        )
    )


async def lock_active_opt_out(session: AsyncSession, client_id: int) -> ActiveOptOut | None:
    row = (
        await session.execute(
            sa.select(OptOut.id, OptOut.source)
            .where(OptOut.client_id == client_id, OptOut.lifted_at.is_(None))
            .with_for_update()
        )
    ).one_or_none()
    return ActiveOptOut(*row) if row else None


async def lift_opt_out(
    session: AsyncSession, opt_out_id: int, now: datetime, source: OptOutSource
) -> None:
    await session.execute(
        sa.update(OptOut)
        .where(OptOut.id == opt_out_id)
        .values(lifted_at=now, lifted_source=source)
        .execution_options(synchronize_session=False)
    )


async def opted_out(session: AsyncSession, client_ids: Collection[int]) -> set[int]:
    """Those of these clients who asked not to be contacted."""
    if not client_ids:
        return set()
    rows = await session.scalars(
        sa.select(OptOut.client_id).where(
            OptOut.client_id.in_(client_ids), OptOut.lifted_at.is_(None)
        )
    )
    return set(rows)
