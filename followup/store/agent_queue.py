"""The agents' queue as queries: the calls waiting for an agent (residents who asked to be
called first), the replies nobody could read for them, an agent's own calls, and taking a
call so that no colleague takes it too."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.care_words import CARE_WORD
from followup.rules.domain import (
    AttemptPurpose,
    AttemptState,
    Channel,
    FollowUpState,
    MessageDirection,
)
from followup.store.tables import Attempt, Client, FollowUp, SmsMessage

SHOWN = 50  # of each list: a queue longer than this is worked from the top anyway
RECENT_CALLS = timedelta(hours=1)  # how long an agent's finished call stays in view
IN_FLIGHT = (AttemptState.QUEUED, AttemptState.SENDING, AttemptState.SENT, AttemptState.ANSWERED)


@dataclass(frozen=True, slots=True)
class WaitingCall:
    attempt_id: int
    client_id: int
    name: str
    wijk: str
    callback_requested_at: datetime | None  # the resident asked to be called
    due_at: datetime


@dataclass(frozen=True, slots=True)
class ReplyToRead:
    message_id: int
    client_id: int | None  # None: a number several residents share, or nobody's
    name: str | None
    body: str
    received_at: datetime
    care_word: bool = False  # holds one of the team's care words: read it first


@dataclass(frozen=True, slots=True)
class AgentCall:
    attempt_id: int
    client_id: int
    name: str
    state: AttemptState
    carrier_status: str | None  # the resident's leg, as the carrier reports it
    duration_seconds: int | None


def _calls(*columns: sa.ColumnElement) -> sa.Select:
    """Call attempts with their residents, who must not have been erased."""
    return (
        sa.select(*columns)
        .join(FollowUp, FollowUp.id == Attempt.follow_up_id)
        .join(Client, Client.id == FollowUp.client_id)
        .where(Attempt.channel == Channel.CALL, Client.erased_at.is_(None))
    )


async def waiting_calls(session: AsyncSession, now: datetime) -> list[WaitingCall]:
    rows = await session.execute(
        _calls(
            Attempt.id,
            Client.id,
            Client.name,
            Client.wijk,
            FollowUp.callback_requested_at,
            Attempt.due_at,
        )
        .where(
            Attempt.state == AttemptState.QUEUED,
            Attempt.agent_id.is_(None),
            Attempt.due_at <= now,
            FollowUp.state == FollowUpState.OPEN,
        )
        # Who asked to be called goes first, in the order they asked.
        .order_by(
            (Attempt.purpose != AttemptPurpose.CALLBACK),
            FollowUp.callback_requested_at,
            Attempt.due_at,
            Attempt.id,
        )
        .limit(SHOWN)
    )
    return [WaitingCall(*row) for row in rows]


async def replies_to_read(session: AsyncSession) -> list[ReplyToRead]:
    rows = await session.execute(
        sa.select(
            SmsMessage.id,
            Client.id,
            Client.name,
            SmsMessage.body,
            SmsMessage.created_at,
            SmsMessage.interpretation == CARE_WORD,
        )
        .outerjoin(Client, sa.and_(Client.id == SmsMessage.client_id, Client.erased_at.is_(None)))
        .where(
            SmsMessage.direction == MessageDirection.INBOUND,
            SmsMessage.needs_review.is_(True),
            SmsMessage.reviewed_at.is_(None),
        )
        .order_by(
            sa.case((SmsMessage.interpretation == CARE_WORD, 0), else_=1),
            SmsMessage.created_at,
            SmsMessage.id,
        )
        .limit(SHOWN)
    )
    return [ReplyToRead(*row[:5], bool(row[5])) for row in rows]


async def calls_of_agents(
    session: AsyncSession, agent_ids: Collection[int], now: datetime
) -> dict[int, list[AgentCall]]:
    """Each agent's own calls, newest first: for all open queue pages in one query."""
    newest_first = sa.func.row_number().over(
        partition_by=Attempt.agent_id, order_by=Attempt.id.desc()
    )
    calls = (
        _calls(
            Attempt.agent_id,
            Attempt.id,
            Client.id.label("client_id"),
            Client.name,
            Attempt.state,
            Attempt.carrier_status,
            Attempt.duration_seconds,
            newest_first.label("place"),
        )
        .where(
            Attempt.agent_id.in_(agent_ids),
            sa.or_(Attempt.state.in_(IN_FLIGHT), Attempt.finished_at >= now - RECENT_CALLS),
        )
        .subquery()
    )
    rows = await session.execute(
        sa.select(*list(calls.c)[:-1])
        .where(calls.c.place <= SHOWN)
        .order_by(calls.c.agent_id, calls.c.id.desc())
    )
    found: dict[int, list[AgentCall]] = {agent_id: [] for agent_id in agent_ids}
    for agent_id, *call in rows:
        found[agent_id].append(AgentCall(*call))
    return found


async def waiting_call(
    session: AsyncSession, attempt_id: int, now: datetime
) -> tuple[int, int] | None:
    """(resident, follow-up) of this call, when it waits in the queue for an agent; None
    when a colleague took it, or it is no call waiting for an agent (an e-mail, a call not
    due yet, a follow-up closed since): an id in a form proves nothing."""
    row = (
        await session.execute(
            sa.select(FollowUp.client_id, FollowUp.id)
            .join(Attempt, Attempt.follow_up_id == FollowUp.id)
            .where(
                Attempt.id == attempt_id,
                Attempt.channel == Channel.CALL,
                Attempt.state == AttemptState.QUEUED,
                Attempt.agent_id.is_(None),
                Attempt.due_at <= now,
                FollowUp.state == FollowUpState.OPEN,
            )
        )
    ).first()
    return (row[0], row[1]) if row else None
