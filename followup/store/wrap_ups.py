"""Wrap-ups as queries: which calls still wait for their result, recording one, and the call
an agent agreed with the resident.

A call "waits for its wrap-up" once the resident was dialled (it has the resident's leg) and
until the agent recorded what came of it. Such a call holds the ladder and the agent's next
resident."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from followup.rules.domain import AttemptPurpose, AttemptState, Channel
from followup.rules.wrap_up import CALLBACK_ROOM, WrapUpForm
from followup.store.rounds import latest_round_of
from followup.store.staff_tables import User
from followup.store.tables import Attempt, Client, FollowUp, Round, WrapUp
from followup.store.types import UTCDateTime


def awaits_wrap_up(attempt: type[Attempt] = Attempt) -> sa.ColumnElement[bool]:
    return sa.and_(
        attempt.agent_id.is_not(None),
        attempt.channel == Channel.CALL,
        attempt.carrier_sid.is_not(None),
        attempt.wrapped_up_at.is_(None),
    )


def has_call_to_wrap_up(agent_id: int) -> sa.Exists:
    """The agent has a call whose result they did not record yet."""
    call = aliased(Attempt)
    return sa.exists().where(call.agent_id == agent_id, awaits_wrap_up(call))


def held_for_wrap_up(
    follow_up_id: sa.ColumnElement[int], except_agent: int | None = None
) -> sa.Exists:
    """A call of this follow-up waits for its wrap-up (by another agent than
    `except_agent`): nobody else contacts the resident."""
    waiting = aliased(Attempt)
    held = sa.exists().where(waiting.follow_up_id == follow_up_id, awaits_wrap_up(waiting))
    return held.where(waiting.agent_id != except_agent) if except_agent is not None else held


async def is_calling(session: AsyncSession, agent_id: int) -> bool:
    """The agent has a call on its way: waiting for the dialer, or ringing."""
    return bool(
        await session.scalar(
            sa.select(
                sa.exists().where(
                    Attempt.agent_id == agent_id,
                    Attempt.channel == Channel.CALL,
                    Attempt.state.in_(
                        [AttemptState.QUEUED, AttemptState.SENDING, AttemptState.SENT]
                    ),
                )
            )
        )
    )


async def calls_to_wrap_up(session: AsyncSession, agent_id: int) -> list[tuple[int, int]]:
    """The agent's calls still waiting for a result: (attempt, follow-up), oldest first."""
    rows = await session.execute(
        sa.select(Attempt.id, Attempt.follow_up_id)
        .where(Attempt.agent_id == agent_id, awaits_wrap_up())
        .order_by(Attempt.id)
    )
    return [tuple(row) for row in rows]


async def call_to_wrap_up(
    session: AsyncSession, agent_id: int | None, follow_up_id: int
) -> int | None:
    """The agent's call of this follow-up that waits for its result (None: anyone's)."""
    query = (
        sa.select(Attempt.id)
        .where(Attempt.follow_up_id == follow_up_id, awaits_wrap_up())
        .order_by(Attempt.id)
        .limit(1)
    )
    if agent_id is not None:
        query = query.where(Attempt.agent_id == agent_id)
    return await session.scalar(query)


@dataclass(frozen=True, slots=True)
class Unwrapped:
    """A finished call whose result nobody recorded yet."""

    attempt_id: int
    client_id: int
    name: str
    agent: str
    finished_at: datetime


UNWRAPPED_SHOWN = 50


def _unwrapped(*columns: sa.ColumnElement) -> sa.Select:
    return (
        sa.select(*columns, Attempt.id, Client.id, Client.name, User.email, Attempt.finished_at)
        .join(FollowUp, FollowUp.id == Attempt.follow_up_id)
        .join(Client, Client.id == FollowUp.client_id)
        .join(User, User.id == Attempt.agent_id)
        .where(awaits_wrap_up(), Attempt.finished_at.is_not(None))
    )


async def unwrapped_calls(session: AsyncSession) -> list[Unwrapped]:
    """Everyone's finished calls still waiting for their result, oldest first."""
    query = _unwrapped().order_by(Attempt.finished_at, Attempt.id).limit(UNWRAPPED_SHOWN)
    return [Unwrapped(*row) for row in await session.execute(query)]


async def unwrapped_calls_of(
    session: AsyncSession, agent_ids: Collection[int]
) -> dict[int, list[Unwrapped]]:
    """Each agent's own finished calls still waiting for their result, in one query."""
    oldest_first = sa.func.row_number().over(
        partition_by=Attempt.agent_id, order_by=(Attempt.finished_at, Attempt.id)
    )
    calls = (
        _unwrapped(Attempt.agent_id, oldest_first.label("place"))
        .where(Attempt.agent_id.in_(agent_ids))
        .subquery()
    )
    columns = list(calls.c)[2:]
    rows = await session.execute(
        sa.select(calls.c.agent_id, *columns)
        .where(calls.c.place <= UNWRAPPED_SHOWN)
        .order_by(calls.c.agent_id, calls.c.finished_at, columns[0])
    )
    found: dict[int, list[Unwrapped]] = {agent_id: [] for agent_id in agent_ids}
    for agent_id, *call in rows:
        found[agent_id].append(Unwrapped(*call))
    return found


async def mark_wrapped_up(
    session: AsyncSession, attempt_id: int, agent_id: int | None, follow_up_id: int, now: datetime
) -> bool:
    """False unless it is this agent's (None: anyone's) call of this follow-up and waited for
    its result (a second click finds it wrapped up already)."""
    whose = Attempt.agent_id == agent_id if agent_id is not None else sa.true()
    result = await session.execute(
        sa.update(Attempt)
        .where(
            Attempt.id == attempt_id,
            whose,
            Attempt.follow_up_id == follow_up_id,
            awaits_wrap_up(),
        )
        .values(wrapped_up_at=now)
    )
    return result.rowcount == 1


def insert_wrap_up(
    session: AsyncSession,
    follow_up_id: int,
    attempt_id: int | None,
    form: WrapUpForm,
    user_id: int,
    now: datetime,
) -> None:
    session.add(
        WrapUp(
            follow_up_id=follow_up_id,
            attempt_id=attempt_id,
            user_id=user_id,
            result=form.result,
            note=form.note,
            callback_at=form.callback_at,
            recorded_at=now,
        )
    )


async def latest_wrap_up(session: AsyncSession, follow_up_id: int) -> int:
    """The id of the follow-up's latest wrap-up (0: none): a page names the one it showed."""
    latest = sa.select(sa.func.max(WrapUp.id)).where(WrapUp.follow_up_id == follow_up_id)
    return await session.scalar(latest) or 0


async def forget_callback_agent(session: AsyncSession, follow_up_id: int) -> None:
    await session.execute(
        sa.update(FollowUp).where(FollowUp.id == follow_up_id).values(assigned_agent_id=None)
    )


async def agree_callback(
    session: AsyncSession, follow_up_id: int, agent_id: int | None, at: datetime, now: datetime
) -> None:
    """The resident agreed to be called at `at`: a callback queued for then (the one waiting
    moves), kept for this agent for a while (`rules.wrap_up.CALLBACK_GRACE`). Its round stays
    open until then."""
    latest_round = await session.scalar(latest_round_of(follow_up_id))
    await session.execute(
        sa.update(Round)
        .where(Round.id == latest_round, Round.closes_at < at + CALLBACK_ROOM)
        .values(closes_at=sa.literal(at + CALLBACK_ROOM, UTCDateTime()))
    )
    moved = await session.execute(
        sa.update(Attempt)
        .where(
            Attempt.follow_up_id == follow_up_id,
            Attempt.purpose == AttemptPurpose.CALLBACK,
            Attempt.state == AttemptState.QUEUED,
        )
        .values(due_at=at, agent_id=None)
    )
    if moved.rowcount == 0:
        session.add(
            Attempt(
                follow_up_id=follow_up_id,
                round_id=latest_round,
                channel=Channel.CALL,
                purpose=AttemptPurpose.CALLBACK,
                state=AttemptState.QUEUED,
                due_at=at,
                tries=0,
                created_at=now,
            )
        )
    await session.execute(
        sa.update(FollowUp).where(FollowUp.id == follow_up_id).values(assigned_agent_id=agent_id)
    )
