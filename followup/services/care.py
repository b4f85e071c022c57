"""Use cases of the care signal: an agent marks that a resident needs care rather than a
follow-up, and the named colleague records the hand-off to the WIJ-team.

Marking stops every queued attempt in the same transaction, and the planner and the dialer
read the signal from then on (a pass that claimed an attempt before asks again just before
it sends: `services/dispatch.still_to_send`). Both are once: a second mark or hand-off
changes nothing and the page says so."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.care import check_mark, may_hand_over, may_mark
from followup.rules.domain import AuditAction, OutcomeCategory, OutcomeSource
from followup.services.outcomes import record_outcome
from followup.services.refusals import QueueRefusal
from followup.store import care_signals as store
from followup.store.audit import record_audit
from followup.store.care_signals import CareView
from followup.store.follow_ups import client_of, lock_open_follow_up
from followup.store.unit_of_work import unit_of_work
from followup.store.users import SignedIn


class Done(StrEnum):
    MARKED = "zorg"
    ALREADY_MARKED = "al-zorg"
    HANDED_OVER = "overgedragen"
    ALREADY_HANDED_OVER = "al-overgedragen"


@dataclass(frozen=True, slots=True)
class CareForm:
    colleague_id: int | None
    deadline: date | None


async def mark_care(
    sessions: async_sessionmaker[AsyncSession],
    client_id: int,
    follow_up_id: int,
    form: CareForm,
    user: SignedIn,
    now: datetime,
    today: date,
) -> Done:
    """Raises `CareProblem` (the form) or `QueueRefusal` (the follow-up); nothing changes."""
    if not may_mark(user.role):
        raise QueueRefusal("geen-zorg-rol")
    async with unit_of_work(sessions) as uow:
        session = uow.session
        await _same_resident(session, client_id, follow_up_id)
        if await lock_open_follow_up(session, follow_up_id) is None:
            if await store.care_of(session, follow_up_id) is not None:
                return Done.ALREADY_MARKED
            raise QueueRefusal("al-uitkomst")
        colleagues = {user_id for user_id, _ in await store.colleagues(session)}
        mark = check_mark(form.colleague_id, form.deadline, today, colleagues)
        if not await store.insert_mark(session, follow_up_id, client_id, mark, user.id, now):
            return Done.ALREADY_MARKED
        cancelled = await store.cancel_queued(session, follow_up_id, now)
        record_audit(
            session,
            now=now,
            actor=user.email,
            action=AuditAction.CARE_MARKED,
            user_id=user.id,
            client_id=client_id,
            detail={
                "follow_up_id": follow_up_id,
                "colleague_id": mark.colleague_id,
                "deadline": mark.deadline.isoformat(),
                "attempts_cancelled": cancelled,
            },
        )
        await uow.commit()
    return Done.MARKED


async def hand_over(
    sessions: async_sessionmaker[AsyncSession],
    client_id: int,
    follow_up_id: int,
    user: SignedIn,
    now: datetime,
) -> Done:
    """The resident was reported to the WIJ-team: the follow-up closes as `with_wij` (unless
    it had an outcome already, which stands). Only the named colleague, a coordinator or an
    admin; raises `QueueRefusal` otherwise, and nothing changes."""
    async with unit_of_work(sessions) as uow:
        session = uow.session
        await _same_resident(session, client_id, follow_up_id)
        care = await store.lock_care_of(session, follow_up_id)
        if care is None:
            raise QueueRefusal("geen-zorgsignaal")
        if care.handed_over_at is not None:
            return Done.ALREADY_HANDED_OVER
        if not may_hand_over(user.role, user.id, care.colleague_id):
            raise QueueRefusal("niet-uw-zorg")
        await record_outcome(
            session,
            follow_up_id,
            OutcomeCategory.WITH_WIJ,
            now,
            source=OutcomeSource.AGENT,
            user_id=user.id,
        )
        await store.record_handed_over(session, follow_up_id, user.id, now)
        record_audit(
            session,
            now=now,
            actor=user.email,
            action=AuditAction.CARE_HANDED_OVER,
            user_id=user.id,
            client_id=client_id,
            detail={"follow_up_id": follow_up_id},
        )
        await uow.commit()
    return Done.HANDED_OVER


async def my_care(sessions: async_sessionmaker[AsyncSession], user: SignedIn) -> list[CareView]:
    """The colleague's care follow-ups still to hand over, the first deadline first."""
    async with unit_of_work(sessions) as uow:
        return await store.pending_for(uow.session, user.id)


async def _same_resident(session: AsyncSession, client_id: int, follow_up_id: int) -> None:
    if await client_of(session, follow_up_id) != client_id:
        raise QueueRefusal("andere-inwoner")
