"""Follow-ups: the open one of a client, and closing them. Closing also stops the attempts
still queued for them, so a closed follow-up never has a call or message waiting."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import FollowUpState
from followup.store.attempt_queue import cancel_attempts_of_closed
from followup.store.rows import fetch_one
from followup.store.tables import FollowUp, Outcome


@dataclass(frozen=True, slots=True)
class OpenFollowUp:
    id: int
    client_id: int
    callback_requested_at: datetime | None  # the resident asked to be called


@dataclass(frozen=True, slots=True)
class Closed:
    follow_ups: int
    attempts_cancelled: int


def _open(*conditions: sa.ColumnElement[bool]) -> sa.Select:
    return (
        sa.select(FollowUp.id, FollowUp.client_id, FollowUp.callback_requested_at)
        .where(FollowUp.state == FollowUpState.OPEN, *conditions)
        .with_for_update()
    )


async def lock_open_follow_up_of_client(
    session: AsyncSession, client_id: int
) -> OpenFollowUp | None:
    return await fetch_one(session, _open(FollowUp.client_id == client_id), OpenFollowUp)


async def lock_open_follow_up(session: AsyncSession, follow_up_id: int) -> OpenFollowUp | None:
    return await fetch_one(session, _open(FollowUp.id == follow_up_id), OpenFollowUp)


async def is_open(session: AsyncSession, follow_up_id: int) -> bool:
    state = await session.scalar(sa.select(FollowUp.state).where(FollowUp.id == follow_up_id))
    return state is FollowUpState.OPEN


async def client_of(session: AsyncSession, follow_up_id: int) -> int:
    return await session.scalar(sa.select(FollowUp.client_id).where(FollowUp.id == follow_up_id))


async def mark_callback_requested(session: AsyncSession, follow_up_id: int, now: datetime) -> None:
    """The first time the resident asked to be called is the one that orders the queue."""
    await session.execute(
        sa.update(FollowUp)
        .where(FollowUp.id == follow_up_id, FollowUp.callback_requested_at.is_(None))
        .values(callback_requested_at=now)
        .execution_options(synchronize_session=False)
    )


async def close_with_outcome(
    session: AsyncSession, now: datetime, follow_up_ids: Collection[int] | None = None
) -> Closed:
    """Open follow-ups that have an outcome close (all of them, or those of these ids), and
    their queued attempts are cancelled. A follow-up about to enter a round when it closed
    counts as having entered it."""
    entering = sa.and_(FollowUp.next_round_at.is_not(None), FollowUp.next_round_at <= now)
    chosen = sa.true() if follow_up_ids is None else FollowUp.id.in_(follow_up_ids)
    closed = await session.execute(
        sa.update(FollowUp)
        .where(
            chosen,
            FollowUp.state == FollowUpState.OPEN,
            sa.exists().where(Outcome.follow_up_id == FollowUp.id),
        )
        .values(
            state=FollowUpState.CLOSED,
            closed_at=now,
            next_round_at=None,
            round_number=sa.case(
                (entering, FollowUp.round_number + 1), else_=FollowUp.round_number
            ),
        )
        .execution_options(synchronize_session=False)
    )
    cancelled = await cancel_attempts_of_closed(session, now, follow_up_ids)
    return Closed(closed.rowcount, cancelled)
