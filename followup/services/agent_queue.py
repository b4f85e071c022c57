"""Use cases of the agents' queue: what waits for an agent (residents who asked to be called
first, then the calls that are due; replies nobody could read for them), the agent's own
calls as they go, taking a call, and deciding on a reply.

Every look at the queue shows residents' names and replies, so each is audited with the
residents it showed."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.domain import (
    AttemptPurpose,
    AttemptState,
    AuditAction,
    Channel,
    FollowUpState,
    MessageDirection,
    OptOutSource,
)
from followup.rules.sms_replies import Reply
from followup.services.audit import record_audit
from followup.services.replies import apply_reply
from followup.services.sign_in import SignedIn
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
    client_id: int | None  # None: a number several residents share
    name: str | None
    body: str
    received_at: datetime


@dataclass(frozen=True, slots=True)
class AgentCall:
    attempt_id: int
    client_id: int
    name: str
    state: AttemptState
    carrier_status: str | None  # the resident's leg, as the carrier reports it
    duration_seconds: int | None


@dataclass(frozen=True, slots=True)
class AgentQueue:
    waiting: list[WaitingCall]
    replies: list[ReplyToRead]
    mine: list[AgentCall]

    def client_ids(self) -> list[int]:
        shown = [c.client_id for c in (*self.waiting, *self.mine)]
        shown += [r.client_id for r in self.replies if r.client_id is not None]
        return sorted(set(shown))


def _calls(*columns: sa.ColumnElement) -> sa.Select:
    """Call attempts with their residents, who must not have been erased."""
    return (
        sa.select(*columns)
        .join(FollowUp, FollowUp.id == Attempt.follow_up_id)
        .join(Client, Client.id == FollowUp.client_id)
        .where(Attempt.channel == Channel.CALL, Client.erased_at.is_(None))
    )


async def _waiting(session: AsyncSession, now: datetime) -> list[WaitingCall]:
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


async def _replies(session: AsyncSession) -> list[ReplyToRead]:
    rows = await session.execute(
        sa.select(SmsMessage.id, Client.id, Client.name, SmsMessage.body, SmsMessage.created_at)
        .outerjoin(Client, sa.and_(Client.id == SmsMessage.client_id, Client.erased_at.is_(None)))
        .where(
            SmsMessage.direction == MessageDirection.INBOUND,
            SmsMessage.needs_review.is_(True),
            SmsMessage.reviewed_at.is_(None),
        )
        .order_by(SmsMessage.created_at, SmsMessage.id)
        .limit(SHOWN)
    )
    return [ReplyToRead(*row) for row in rows]


async def _mine(session: AsyncSession, agent: SignedIn, now: datetime) -> list[AgentCall]:
    rows = await session.execute(
        _calls(
            Attempt.id,
            Client.id,
            Client.name,
            Attempt.state,
            Attempt.carrier_status,
            Attempt.duration_seconds,
        )
        .where(
            Attempt.agent_id == agent.id,
            sa.or_(Attempt.state.in_(IN_FLIGHT), Attempt.finished_at >= now - RECENT_CALLS),
        )
        .order_by(Attempt.id.desc())
        .limit(SHOWN)
    )
    return [AgentCall(*row) for row in rows]


async def agent_queue(
    sessions: async_sessionmaker[AsyncSession],
    agent: SignedIn,
    now: datetime,
    *,
    unless_same_as: AgentQueue | None = None,
) -> AgentQueue:
    """What the agent sees now; audited, unless it is what they see already (a live page
    that looks again)."""
    async with sessions() as session, session.begin():
        queue = AgentQueue(
            await _waiting(session, now), await _replies(session), await _mine(session, agent, now)
        )
        if queue != unless_same_as and (shown := queue.client_ids()):
            record_audit(
                session,
                now=now,
                actor=agent.email,
                action=AuditAction.QUEUE_VIEWED,
                user_id=agent.id,
                detail={"clients": shown},
            )
        return queue


class QueueRefusal(ValueError):
    """Not done; the message is Dutch, for the agent."""


async def take_call(
    sessions: async_sessionmaker[AsyncSession], attempt_id: int, agent: SignedIn, now: datetime
) -> None:
    """The agent takes a waiting call: the dialer rings the agent's own phone first, then
    connects the resident."""
    if agent.phone is None:
        raise QueueRefusal("Er staat geen telefoonnummer bij uw account. Vraag de beheerder.")
    async with sessions() as session, session.begin():
        taken = await session.execute(
            sa.update(Attempt)
            .where(
                Attempt.id == attempt_id,
                Attempt.state == AttemptState.QUEUED,
                Attempt.agent_id.is_(None),
            )
            .values(agent_id=agent.id)
            .returning(Attempt.follow_up_id)
        )
        follow_up_id = taken.scalar()
        if follow_up_id is None:
            raise QueueRefusal("Dit gesprek is al door een collega opgepakt.")
        client_id = await session.scalar(
            sa.select(FollowUp.client_id).where(FollowUp.id == follow_up_id)
        )
        record_audit(
            session,
            now=now,
            actor=agent.email,
            action=AuditAction.CALL_TAKEN,
            user_id=agent.id,
            client_id=client_id,
            detail={"attempt": attempt_id},
        )


async def decide_on_reply(
    sessions: async_sessionmaker[AsyncSession],
    message_id: int,
    reply: Reply | None,
    agent: SignedIn,
    now: datetime,
) -> None:
    """The agent read the reply and decides what it means (`reply`), or that it asks for
    nothing (None). It leaves the queue either way."""
    async with sessions() as session, session.begin():
        message = await session.get(SmsMessage, message_id, with_for_update=True)
        if message is None or not message.needs_review or message.reviewed_at is not None:
            raise QueueRefusal("Dit antwoord is al door een collega gelezen.")
        if reply is not None:
            if message.client_id is None:
                raise QueueRefusal(
                    "Dit nummer hoort bij meer inwoners: u kunt alleen 'gelezen' kiezen."
                )
            await apply_reply(
                session, message.client_id, reply, now, OptOutSource.AGENT, user_id=agent.id
            )
        message.reviewed_at, message.reviewed_by_id = now, agent.id
        record_audit(
            session,
            now=now,
            actor=agent.email,
            action=AuditAction.REPLY_REVIEWED,
            user_id=agent.id,
            client_id=message.client_id,
            detail={"message": message_id, "decision": reply.kind.value if reply else "read"},
        )
