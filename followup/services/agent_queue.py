"""Use cases of the agents' queue: what waits for an agent (residents who asked to be called
first, then the calls that are due; replies nobody could read for them), the agent's own
calls as they go, taking a call, and deciding on a reply.

Every look at the queue shows residents' names and replies, so each is audited with the
residents it showed."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.domain import AuditAction, OptOutSource, Role
from followup.rules.sms_replies import Reply
from followup.services.refusals import QueueRefusal
from followup.services.replies import apply_reply
from followup.store import agent_queue as q
from followup.store.agent_queue import AgentCall, ReplyToRead, WaitingCall
from followup.store.audit import record_audit
from followup.store.leases import Lease, current_leases
from followup.store.sms_messages import lock_reply_to_review, mark_reviewed
from followup.store.unit_of_work import unit_of_work
from followup.store.users import SignedIn
from followup.store.wrap_ups import Unwrapped, unwrapped_calls, unwrapped_calls_of


@dataclass(frozen=True, slots=True)
class AgentQueue:
    waiting: list[WaitingCall]
    replies: list[ReplyToRead]
    mine: list[AgentCall]
    # Finished calls without a result: the agent's own, or everyone's for a coordinator.
    unwrapped: list[Unwrapped]
    current: Lease | None  # the resident the agent holds now

    def client_ids(self) -> list[int]:
        shown = [c.client_id for c in (*self.waiting, *self.mine, *self.unwrapped)]
        shown += [r.client_id for r in self.replies if r.client_id is not None]
        return sorted(set(shown))


async def agent_queue(
    sessions: async_sessionmaker[AsyncSession], agent: SignedIn, now: datetime
) -> AgentQueue:
    """What the agent sees now; audited."""
    async with unit_of_work(sessions) as uow:
        queue = (await queues_of(uow.session, [agent], now))[agent.id]
        _audit_view(uow.session, agent, queue, now)
        await uow.commit()
        return queue


async def queues_of(
    session: AsyncSession, viewers: Sequence[SignedIn], now: datetime
) -> dict[int, AgentQueue]:
    """What each of these users sees now, by user id, in the same few queries however many
    they are: one look serves all of a process's open queue pages. Not audited."""
    ids = [viewer.id for viewer in viewers]
    agents = [viewer.id for viewer in viewers if viewer.role is Role.AGENT]
    waiting = await q.waiting_calls(session, now)
    replies = await q.replies_to_read(session)
    mine = await q.calls_of_agents(session, ids, now)
    own_unwrapped = await unwrapped_calls_of(session, agents) if agents else {}
    everyones = await unwrapped_calls(session) if len(agents) < len(ids) else []
    leases = await current_leases(session, ids, now)
    return {
        viewer.id: AgentQueue(
            waiting,
            replies,
            mine[viewer.id],
            own_unwrapped[viewer.id] if viewer.role is Role.AGENT else everyones,
            leases.get(viewer.id),
        )
        for viewer in viewers
    }


async def record_views(
    sessions: async_sessionmaker[AsyncSession],
    views: Sequence[tuple[SignedIn, AgentQueue]],
    now: datetime,
) -> None:
    """Open pages that show something new: each view audited, all in one transaction."""
    async with unit_of_work(sessions) as uow:
        for viewer, queue in views:
            _audit_view(uow.session, viewer, queue, now)
        await uow.commit()


def _audit_view(session: AsyncSession, viewer: SignedIn, queue: AgentQueue, now: datetime) -> None:
    if shown := queue.client_ids():
        record_audit(
            session,
            now=now,
            actor=viewer.email,
            action=AuditAction.QUEUE_VIEWED,
            user_id=viewer.id,
            detail={"clients": shown},
        )


async def waiting_call(
    sessions: async_sessionmaker[AsyncSession], attempt_id: int, now: datetime
) -> tuple[int, int]:
    """(resident, follow-up) of a call the list offers; the list's "Bel" goes through the
    card's rules (`card_contact.call_from_card`) with it."""
    async with unit_of_work(sessions) as uow:
        found = await q.waiting_call(uow.session, attempt_id, now)
    if found is None:
        raise QueueRefusal("al-opgepakt")
    return found


async def decide_on_reply(
    sessions: async_sessionmaker[AsyncSession],
    message_id: int,
    reply: Reply | None,
    agent: SignedIn,
    now: datetime,
) -> None:
    """The agent read the reply and decides what it means (`reply`), or that it asks for
    nothing (None). It leaves the queue either way."""
    async with unit_of_work(sessions) as uow:
        message = await lock_reply_to_review(uow.session, message_id)
        if message is None:
            raise QueueRefusal("al-gelezen")
        if reply is not None:
            if message.client_id is None:
                raise QueueRefusal("gedeeld-nummer")
            await apply_reply(
                uow.session, message.client_id, reply, now, OptOutSource.AGENT, user_id=agent.id
            )
        await mark_reviewed(uow.session, message_id, now, agent.id)
        record_audit(
            uow.session,
            now=now,
            actor=agent.email,
            action=AuditAction.REPLY_REVIEWED,
            user_id=agent.id,
            client_id=message.client_id,
            detail={"message": message_id, "decision": reply.kind.value if reply else "read"},
        )
        await uow.commit()
