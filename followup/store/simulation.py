"""The reach simulation's reads and its one shortcut (`services/reach_simulation.py`): it runs
on a database of its own, never on the service's."""

from collections.abc import Collection
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.domain import AttemptState, Channel, OutcomeCategory
from followup.rules.wrap_up import WrapUpForm
from followup.store.tables import Attempt, Client, FollowUp, Outcome
from followup.store.unit_of_work import unit_of_work
from followup.store.wrap_ups import insert_wrap_up


async def residents_by_client(sessions: async_sessionmaker[AsyncSession]) -> dict[int, int]:
    """Client id -> the resident's index, from the reference `S<index>` they were imported
    with."""
    async with unit_of_work(sessions) as uow:
        rows = await uow.session.execute(sa.select(Client.id, Client.client_ref))
    return {client_id: int(ref[1:]) for client_id, ref in rows}


async def follow_up_of(sessions: async_sessionmaker[AsyncSession], client_id: int) -> int | None:
    """The client's open follow-up, which their response link names."""
    async with unit_of_work(sessions) as uow:
        return await uow.session.scalar(
            sa.select(FollowUp.id)
            .where(FollowUp.client_id == client_id)
            .order_by(FollowUp.id.desc())
        )


async def announced_calls(
    sessions: async_sessionmaker[AsyncSession], attempt_ids: Collection[int]
) -> dict[int, datetime]:
    """The call each of these messages announced, for those that announced one."""
    async with unit_of_work(sessions) as uow:
        rows = await uow.session.execute(
            sa.select(Attempt.id, Attempt.announces_call_at).where(
                Attempt.id.in_(attempt_ids), Attempt.announces_call_at.is_not(None)
            )
        )
    return {key: value for key, value in rows}


async def give_due_calls_to(
    sessions: async_sessionmaker[AsyncSession], agent_id: int, now: datetime
) -> None:
    """The shortcut: a team that is always there takes every call as soon as it is due,
    where real agents take them one by one from the queue."""
    async with unit_of_work(sessions) as uow:
        await uow.session.execute(
            sa.update(Attempt)
            .where(
                Attempt.state == AttemptState.QUEUED,
                Attempt.channel == Channel.CALL,
                Attempt.due_at <= now,
                Attempt.agent_id.is_(None),
            )
            .values(agent_id=agent_id)
            .execution_options(synchronize_session=False)
        )
        await uow.commit()


async def reached(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, dict[str, int]]:
    """How many residents were reached (an outcome other than unreachable), and by what."""
    async with unit_of_work(sessions) as uow:
        rows = await uow.session.execute(
            sa.select(Outcome.source, sa.func.count())
            .where(Outcome.category != OutcomeCategory.UNREACHABLE)
            .group_by(Outcome.source)
        )
    by = {source.value: count for source, count in rows}
    return sum(by.values()), by


async def follow_ups_of(
    sessions: async_sessionmaker[AsyncSession], attempt_ids: Collection[int]
) -> dict[int, int]:
    async with unit_of_work(sessions) as uow:
        rows = await uow.session.execute(
            sa.select(Attempt.id, Attempt.follow_up_id).where(Attempt.id.in_(attempt_ids))
        )
    return {key: value for key, value in rows}


async def next_due(sessions: async_sessionmaker[AsyncSession]) -> datetime | None:
    """When the next queued attempt comes due."""
    async with unit_of_work(sessions) as uow:
        return await uow.session.scalar(
            sa.select(sa.func.min(Attempt.due_at)).where(Attempt.state == AttemptState.QUEUED)
        )


async def wrap_up_unanswered(
    sessions: async_sessionmaker[AsyncSession],
    calls: dict[int, tuple[int, WrapUpForm]],
    agent_id: int,
    now: datetime,
) -> None:
    """The second shortcut: "Geen gehoor" and "In gesprek" recorded for many calls at once,
    as the wrap-up would record each (the call's result kept, the ladder free to go on); the
    wrap-up's audit record and lease release, which change nothing here, are left out."""
    if not calls:
        return
    async with unit_of_work(sessions) as uow:
        await uow.session.execute(
            sa.update(Attempt)
            .where(Attempt.id.in_(calls))
            .values(wrapped_up_at=now)
            .execution_options(synchronize_session=False)
        )
        for attempt_id, (follow_up_id, form) in calls.items():
            insert_wrap_up(uow.session, follow_up_id, attempt_id, form, agent_id, now)
        await uow.commit()
