"""Care signals (`tables.CareSignal`): marking a follow-up, stopping its queued attempts, what
the card and the colleague's queue show, and the hand-off. A signal is pending until the
colleague records the hand-off; while pending, nothing automated reaches the resident."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from followup.rules.care import MAY_MARK, CareMark
from followup.rules.domain import AttemptState
from followup.rules.targeting import Unsendable
from followup.store.rows import insert_ignoring_conflicts
from followup.store.staff_tables import User
from followup.store.tables import Attempt, CareSignal, Client, FollowUp

_PENDING = CareSignal.handed_over_at.is_(None)
# The resident has a pending care signal: the dialer sends them nothing automated.
CARE_PENDING = sa.exists().where(CareSignal.client_id == Client.id, _PENDING)
# The follow-up is with a colleague for care: the planner leaves it alone.
WITH_CARE = sa.exists().where(CareSignal.follow_up_id == FollowUp.id, _PENDING)


def care_pending_for(follow_up_id: int) -> sa.Exists:
    """The follow-up is with a colleague for care (`WITH_CARE`, for one known id)."""
    return sa.exists().where(CareSignal.follow_up_id == follow_up_id, _PENDING)


@dataclass(frozen=True, slots=True)
class CareView:
    """A care signal as the card and the colleague's queue show it."""

    follow_up_id: int
    client_id: int
    client_name: str
    marked_by: str | None
    marked_at: datetime
    colleague_id: int | None
    colleague: str | None
    deadline: date
    handed_over_at: datetime | None


async def insert_mark(
    session: AsyncSession,
    follow_up_id: int,
    client_id: int,
    mark: CareMark,
    user_id: int,
    now: datetime,
) -> bool:
    """False when the follow-up was marked already (nothing changes)."""
    result = await session.execute(
        insert_ignoring_conflicts(session, CareSignal.__table__).values(
            follow_up_id=follow_up_id,
            client_id=client_id,
            marked_by_id=user_id,
            marked_at=now,
            colleague_id=mark.colleague_id,
            deadline=mark.deadline,
        )
    )
    return result.rowcount == 1


async def cancel_queued(session: AsyncSession, follow_up_id: int, now: datetime) -> int:
    """Every attempt of the follow-up still waiting in the queue. Attempts a dispatch pass
    claimed already (`sending`) are the dialer's: it asks again just before it sends."""
    result = await session.execute(
        sa.update(Attempt)
        .where(Attempt.follow_up_id == follow_up_id, Attempt.state == AttemptState.QUEUED)
        .values(
            state=AttemptState.CANCELLED, finished_at=now, cancelled_reason=Unsendable.CARE.value
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def _views() -> sa.Select:
    marker, colleague = aliased(User), aliased(User)
    return (
        sa.select(
            CareSignal.follow_up_id,
            CareSignal.client_id,
            Client.name,
            marker.email,
            CareSignal.marked_at,
            CareSignal.colleague_id,
            colleague.email,
            CareSignal.deadline,
            CareSignal.handed_over_at,
        )
        .join(Client, Client.id == CareSignal.client_id)
        .outerjoin(marker, marker.id == CareSignal.marked_by_id)
        .outerjoin(colleague, colleague.id == CareSignal.colleague_id)
    )


async def care_of(session: AsyncSession, follow_up_id: int) -> CareView | None:
    row = (await session.execute(_views().where(CareSignal.follow_up_id == follow_up_id))).first()
    return CareView(*row) if row else None


async def lock_care_of(session: AsyncSession, follow_up_id: int) -> CareView | None:
    """The signal, locked for the hand-off, so two clicks record it once."""
    query = _views().where(CareSignal.follow_up_id == follow_up_id)
    row = (await session.execute(query.with_for_update(of=CareSignal))).first()
    return CareView(*row) if row else None


async def pending_for(session: AsyncSession, user_id: int) -> list[CareView]:
    """A colleague's care follow-ups waiting for the hand-off, the first deadline first. Also
    when the follow-up closed meanwhile (the resident said STOP, say): the need for care did
    not go away with it."""
    query = (
        _views()
        .where(CareSignal.colleague_id == user_id, _PENDING, Client.erased_at.is_(None))
        .order_by(CareSignal.deadline, CareSignal.id)
    )
    return [CareView(*row) for row in await session.execute(query)]


async def record_handed_over(
    session: AsyncSession, follow_up_id: int, user_id: int, now: datetime
) -> None:
    await session.execute(
        sa.update(CareSignal)
        .where(CareSignal.follow_up_id == follow_up_id, _PENDING)
        .values(handed_over_at=now, handed_over_by_id=user_id)
        .execution_options(synchronize_session=False)
    )


async def marked_among(session: AsyncSession, client_ids: Collection[int]) -> set[int]:
    """Which of these residents have a pending care signal."""
    if not client_ids:
        return set()
    query = sa.select(CareSignal.client_id).where(CareSignal.client_id.in_(client_ids), _PENDING)
    return set(await session.scalars(query))


async def colleagues(session: AsyncSession) -> list[tuple[int, str]]:
    """Staff who can take a care follow-up on: agents and coordinators not disabled."""
    query = (
        sa.select(User.id, User.email)
        .where(User.disabled_at.is_(None), User.role.in_(MAY_MARK))
        .order_by(User.email)
    )
    return [(user_id, email) for user_id, email in await session.execute(query)]
