"""Outcomes: exactly one per follow-up (a unique key), so the first answer counts and a
repeated webhook or a page submitted twice changes nothing."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import OutcomeCategory, OutcomeSource, UnreachableReason
from followup.store.rows import insert_ignoring_conflicts
from followup.store.tables import Outcome


async def insert_outcome(
    session: AsyncSession,
    follow_up_id: int,
    category: OutcomeCategory,
    now: datetime,
    *,
    source: OutcomeSource,
    reason: UnreachableReason | None,
    note: str | None,
    user_id: int | None,
) -> bool:
    """False when the follow-up had an outcome already."""
    inserted = await session.execute(
        insert_ignoring_conflicts(session, Outcome.__table__).values(
            follow_up_id=follow_up_id,
            category=category.value,
            reason=reason.value if reason else None,
            source=source.value,
            recorded_by_id=user_id,
            recorded_at=now,
            note=note,
        )
    )
    return inserted.rowcount == 1
