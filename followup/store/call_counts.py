"""The answer-rate counts (`call_answer_counts`): added to in the transaction that stores calls'
final statuses, so the dashboard's weekday-by-hour grid is a query over a few hundred rows."""

from collections import Counter
from collections.abc import Collection
from dataclasses import asdict, astuple
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from followup.rules.attempt import AttemptProgress
from followup.rules.call_answers import CallSlot, answered, call_slot, placed_at
from followup.store.tables import Attempt, CallAnswerCount, FollowUp

COUNTS = CallAnswerCount.__table__
_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


async def count_finished_calls(
    connection: AsyncConnection, calls: Collection[AttemptProgress], zone: ZoneInfo, now: datetime
) -> None:
    """Add these calls, whose final status was just stored, to the counts."""
    if not calls:
        return
    found = await connection.execute(
        # The wijk the follow-up was done in, as the reach report counts it.
        sa.select(Attempt.id, FollowUp.opened_at, FollowUp.wijk)
        .join(FollowUp, FollowUp.id == Attempt.follow_up_id)
        .where(Attempt.id.in_([call.id for call in calls]))
    )
    where = {attempt_id: (opened_at, wijk) for attempt_id, opened_at, wijk in found}
    placed: Counter[CallSlot] = Counter()
    picked_up: Counter[CallSlot] = Counter()
    for call in calls:
        opened_at, wijk = where[call.id]
        slot = call_slot(placed_at(call, now), opened_at, wijk, zone)
        placed[slot] += 1
        picked_up[slot] += answered(call.carrier_status, call.answered_by)
    # In key order: two batches adding to the same rows lock them in the same order.
    rows = [
        {**asdict(slot), "calls": placed[slot], "answered": picked_up[slot]}
        for slot in sorted(placed, key=astuple)
    ]
    insert = _INSERT[connection.dialect.name](COUNTS)
    await connection.execute(
        insert.on_conflict_do_update(
            index_elements=[COUNTS.c.opened_month, COUNTS.c.wijk, COUNTS.c.weekday, COUNTS.c.hour],
            set_={
                "calls": COUNTS.c.calls + insert.excluded.calls,
                "answered": COUNTS.c.answered + insert.excluded.answered,
            },
        ),
        rows,
    )


async def answer_counts(
    session: AsyncSession, first_month: str
) -> list[tuple[str, int, int, int, int]]:
    """(wijk, weekday, hour, calls, answered) from `first_month` (YYYY-MM) on, for the
    learned call times."""
    counted = await session.execute(
        sa.select(
            CallAnswerCount.wijk,
            CallAnswerCount.weekday,
            CallAnswerCount.hour,
            sa.func.sum(CallAnswerCount.calls),
            sa.func.sum(CallAnswerCount.answered),
        )
        .where(CallAnswerCount.opened_month >= first_month)
        .group_by(CallAnswerCount.wijk, CallAnswerCount.weekday, CallAnswerCount.hour)
    )
    return [tuple(row) for row in counted]
