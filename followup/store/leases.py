"""Leases as queries: "Volgende inwoner" gives an agent the next resident with a call due and
leases them to that agent, so no colleague gets them too. On PostgreSQL the candidate row is
locked with FOR UPDATE SKIP LOCKED, so fifty agents at once each get another resident without
waiting for each other; the lease itself is a conditional update, which is what makes it safe
on SQLite too.

Order: residents who asked to be called and agreed callbacks first (the agent's own first), in
the order they became due; then due calls by how long they have waited."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import AttemptPurpose, AttemptState, Channel, FollowUpState
from followup.store.tables import Attempt, Client, FollowUp
from followup.store.wrap_ups import held_for_wrap_up

_TRIES = 5  # a candidate a colleague leased between our read and our write: look again


@dataclass(frozen=True, slots=True)
class Lease:
    follow_up_id: int
    client_id: int


def _free(now: datetime, agent_id: int) -> sa.ColumnElement[bool]:
    return sa.or_(
        FollowUp.leased_to_id.is_(None),
        FollowUp.leased_to_id == agent_id,
        FollowUp.lease_until <= now,
    )


def _next_candidate(agent_id: int, now: datetime, grace_start: datetime) -> sa.Select:
    callback = Attempt.purpose == AttemptPurpose.CALLBACK
    return (
        sa.select(FollowUp.id, FollowUp.client_id)
        .join(Attempt, Attempt.follow_up_id == FollowUp.id)
        .join(Client, Client.id == FollowUp.client_id)
        .where(
            Attempt.channel == Channel.CALL,
            Attempt.state == AttemptState.QUEUED,
            Attempt.agent_id.is_(None),
            Attempt.due_at <= now,
            FollowUp.state == FollowUpState.OPEN,
            Client.erased_at.is_(None),
            _free(now, agent_id),
            # An agreed callback is the agreeing agent's until its grace period has passed.
            sa.or_(
                FollowUp.assigned_agent_id.is_(None),
                FollowUp.assigned_agent_id == agent_id,
                Attempt.due_at <= grace_start,
            ),
            ~held_for_wrap_up(FollowUp.id),
        )
        .order_by(
            ~callback,
            # The agent's own agreed callbacks first (a case: NULLs sort differently per database).
            sa.case((sa.and_(callback, FollowUp.assigned_agent_id == agent_id), 0), else_=1),
            sa.func.coalesce(FollowUp.callback_requested_at, Attempt.due_at),
            Attempt.due_at,
            Attempt.id,
        )
        .limit(1)
        .with_for_update(of=FollowUp, skip_locked=True)
    )


async def lease_next(
    session: AsyncSession, agent_id: int, now: datetime, until: datetime, grace_start: datetime
) -> Lease | None:
    """Lease the next resident to this agent until `until`; None when nobody waits."""
    for _ in range(_TRIES):
        row = (await session.execute(_next_candidate(agent_id, now, grace_start))).first()
        if row is None:
            return None
        if await _lease(session, row.id, agent_id, now, until):
            return Lease(row.id, row.client_id)
    return None


async def lease_follow_up(
    session: AsyncSession, follow_up_id: int, agent_id: int, now: datetime, until: datetime
) -> bool:
    """Lease (or renew) this follow-up for the agent; False when a colleague holds it."""
    return await _lease(session, follow_up_id, agent_id, now, until)


async def _lease(
    session: AsyncSession, follow_up_id: int, agent_id: int, now: datetime, until: datetime
) -> bool:
    result = await session.execute(
        sa.update(FollowUp)
        .where(
            FollowUp.id == follow_up_id,
            FollowUp.state == FollowUpState.OPEN,
            _free(now, agent_id),
        )
        .values(leased_to_id=agent_id, lease_until=until)
    )
    return result.rowcount == 1


async def release_leases(session: AsyncSession, agent_id: int) -> None:
    """The agent is done with whoever they held."""
    await session.execute(
        sa.update(FollowUp)
        .where(FollowUp.leased_to_id == agent_id)
        .values(leased_to_id=None, lease_until=None)
    )


async def current_leases(
    session: AsyncSession, agent_ids: Collection[int], now: datetime
) -> dict[int, Lease]:
    """The resident each of these agents holds now (the latest lease, should they hold more),
    in one query."""
    rows = await session.execute(
        sa.select(FollowUp.leased_to_id, FollowUp.id, FollowUp.client_id)
        .where(
            FollowUp.leased_to_id.in_(agent_ids),
            FollowUp.lease_until > now,
            FollowUp.state == FollowUpState.OPEN,
        )
        .order_by(FollowUp.lease_until, FollowUp.id)
    )
    return {agent_id: Lease(follow_up_id, client_id) for agent_id, follow_up_id, client_id in rows}


async def renew_leases(
    session: AsyncSession, held: Collection[tuple[int, int]], until: datetime
) -> None:
    """Renew each (agent, client) lease the agent still holds, in one statement; a lease a
    colleague took meanwhile, or one released, stays as it is."""
    await session.execute(
        sa.update(FollowUp)
        .where(
            sa.tuple_(FollowUp.leased_to_id, FollowUp.client_id).in_(list(held)),
            FollowUp.state == FollowUpState.OPEN,
        )
        .values(lease_until=until)
    )


async def leased_to(session: AsyncSession, follow_up_id: int, now: datetime) -> int | None:
    """The agent who holds this follow-up now, if any."""
    return await session.scalar(
        sa.select(FollowUp.leased_to_id).where(
            FollowUp.id == follow_up_id, FollowUp.lease_until > now
        )
    )
