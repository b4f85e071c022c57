"""Residents' wishes not to be contacted: recorded, found and lifted. Active while
`lifted_at` is empty; one active opt-out per client (a unique index)."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import OptOutSource
from followup.store.rows import fetch_one, insert_ignoring_conflicts, update_row
from followup.store.tables import OptOut


@dataclass(frozen=True, slots=True)
class ActiveOptOut:
    id: int
    source: OptOutSource


async def record_opt_out(
    session: AsyncSession,
    client_id: int,
    source: OptOutSource,
    now: datetime,
    evidence: tuple[int | None, int | None] = (None, None),
) -> None:
    """Nothing changes when the client has opted out already. `evidence`: the resident's
    SMS that asked for it, and the user who recorded it, when there are."""
    sms_message_id, user_id = evidence
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
    active = (
        sa.select(OptOut.id, OptOut.source)
        .where(OptOut.client_id == client_id, OptOut.lifted_at.is_(None))
        .with_for_update()
    )
    return await fetch_one(session, active, ActiveOptOut)


async def lift_opt_out(
    session: AsyncSession, opt_out_id: int, now: datetime, source: OptOutSource
) -> None:
    """Kept, with when and which way it was lifted: the history of a resident's wishes."""
    await update_row(session, OptOut, opt_out_id, lifted_at=now, lifted_source=source)


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
