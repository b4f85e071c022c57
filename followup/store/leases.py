"""Leases as queries: "Volgende inwoner" gives an agent the next resident with a call due and
leases them to that agent, so no colleague gets them too. One statement finds and leases
them: on PostgreSQL the candidate row is locked with FOR UPDATE SKIP LOCKED, so fifty agents
at once each get another resident without waiting for each other; SQLite runs the statement
alone. Partial indexes on the calls waiting for an agent let it stop at the first free row.

Order: residents who asked to be called and agreed callbacks first (the agent's own first), in
the order they became due; then due calls by how long they have waited."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import AttemptPurpose, AttemptState, Channel, FollowUpState
from followup.store.care_signals import WITH_CARE
from followup.store.tables import Attempt, Client, FollowUp
from followup.store.types import UTCDateTime
from followup.store.wrap_ups import has_call_to_wrap_up, held_for_wrap_up


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


def _inline(value: str) -> sa.BindParameter:
    """Written into the statement, so PostgreSQL sees it matches the partial index on calls
    waiting for an agent (a bound parameter would hide that from a generic plan)."""
    return sa.bindparam(None, value, literal_execute=True)


# Built once: fifty agents at once must not each pay for assembling it.
_AGENT = sa.bindparam("agent_id", type_=sa.Integer)
_NOW = sa.bindparam("now", type_=UTCDateTime())
_GRACE_START = sa.bindparam("grace_start", type_=UTCDateTime())
_UNTIL = sa.bindparam("until", type_=UTCDateTime())


def _candidates() -> sa.Select:
    return (
        sa.select(FollowUp.id)
        .select_from(Attempt)
        .join(FollowUp, FollowUp.id == Attempt.follow_up_id)
        .join(Client, Client.id == FollowUp.client_id)
        .where(
            Attempt.state == _inline(AttemptState.QUEUED.value),
            Attempt.channel == _inline(Channel.CALL.value),
            Attempt.agent_id.is_(None),
            Attempt.due_at <= _NOW,
            FollowUp.state == FollowUpState.OPEN,
            Client.erased_at.is_(None),
            sa.or_(FollowUp.leased_to_id.is_(None), FollowUp.lease_until <= _NOW),
            # An agreed callback is the agreeing agent's until its grace period has passed.
            sa.or_(
                FollowUp.assigned_agent_id.is_(None),
                FollowUp.assigned_agent_id == _AGENT,
                Attempt.due_at <= _GRACE_START,
            ),
            ~held_for_wrap_up(FollowUp.id),
            ~WITH_CARE,  # the named colleague calls from the card
        )
        .limit(1)
        .with_for_update(of=FollowUp, skip_locked=True)
    )


# Callbacks, few at any time: the agent's own agreed ones first (a case: NULLs sort
# differently per database), then in the order residents asked or the time came.
_NEXT_CALLBACK = (
    _candidates()
    .where(Attempt.purpose == _inline(AttemptPurpose.CALLBACK.value))
    .order_by(
        sa.case((FollowUp.assigned_agent_id == _AGENT, 0), else_=1),
        sa.func.coalesce(FollowUp.callback_requested_at, Attempt.due_at),
        Attempt.due_at,
        Attempt.id,
    )
    .cte("next_callback")
)
# Other due calls, longest waiting first: in the order of the partial index, so the database
# walks it and stops at the first resident nobody holds.
_NEXT_CALL = (
    _candidates()
    .where(Attempt.purpose != _inline(AttemptPurpose.CALLBACK.value))
    .order_by(Attempt.due_at, Attempt.id)
    .cte("next_call")
)
_CHOSEN = (
    sa.union_all(sa.select(_NEXT_CALLBACK.c.id), sa.select(_NEXT_CALL.c.id)).limit(1).cte("chosen")
)
_LEASE_NEXT = (
    sa.update(FollowUp)
    .where(FollowUp.id.in_(sa.select(_CHOSEN.c.id)), ~has_call_to_wrap_up(_AGENT))
    .values(leased_to_id=_AGENT, lease_until=_UNTIL)
    .returning(FollowUp.id, FollowUp.client_id)
    .execution_options(synchronize_session=False)  # no ORM objects to keep in step
)


async def lease_next(
    session: AsyncSession, agent_id: int, now: datetime, until: datetime, grace_start: datetime
) -> Lease | None:
    """Lease the next resident to this agent until `until`, in one statement; None when
    nobody waits, or the agent still has a call to wrap up. Whom the agent held is released
    by `release_leases`, after this: they are not given back the resident they skip."""
    leased = await session.execute(
        _LEASE_NEXT,
        {"agent_id": agent_id, "now": now, "until": until, "grace_start": grace_start},
    )
    row = leased.first()
    return Lease(*row) if row else None


async def lease_follow_up(
    session: AsyncSession, follow_up_id: int, agent_id: int, now: datetime, until: datetime
) -> bool:
    """Lease (or renew) this follow-up for the agent; False when a colleague holds it, or
    a colleague's call with the resident still waits for its result (theirs to record)."""
    result = await session.execute(
        sa.update(FollowUp)
        .where(
            FollowUp.id == follow_up_id,
            FollowUp.state == FollowUpState.OPEN,
            _free(now, agent_id),
            ~held_for_wrap_up(FollowUp.id, except_agent=agent_id),
        )
        .values(leased_to_id=agent_id, lease_until=until)
    )
    return result.rowcount == 1


async def release_leases(session: AsyncSession, agent_id: int, keep: int | None = None) -> None:
    """The agent is done with whoever they held (but `keep`, the resident just leased)."""
    await session.execute(
        sa.update(FollowUp)
        .where(FollowUp.leased_to_id == agent_id, FollowUp.id != (keep or 0))
        .values(leased_to_id=None, lease_until=None)
        .execution_options(synchronize_session=False)
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
