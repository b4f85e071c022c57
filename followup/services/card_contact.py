"""Use cases: "Bellen" and "Sms sturen" on a resident's card. Both go through the dialer like
every other attempt, with its rate limits and contact windows; the card only queues them.

Only the agent who holds the resident may contact them, and not while their last call waits
for its result."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.client_messages import MAX_SMS
from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import AuditAction, Channel
from followup.rules.planning_rules import PlanningRules
from followup.services.next_resident import LEASE
from followup.services.pacing import refuse_when_paused
from followup.services.refusals import QueueRefusal
from followup.store.audit import record_audit
from followup.store.card_contact import assign_due_call, queue_agent_attempt
from followup.store.follow_ups import lock_open_follow_up
from followup.store.leases import lease_follow_up
from followup.store.reachability import load_reach
from followup.store.unit_of_work import unit_of_work
from followup.store.users import SignedIn
from followup.store.wrap_ups import calls_to_wrap_up, is_calling


async def call_from_card(
    sessions: async_sessionmaker[AsyncSession],
    client_id: int,
    follow_up_id: int,
    agent: SignedIn,
    now: datetime,
    rules: PlanningRules,
    calendar: ContactCalendar,
) -> None:
    """The agent's phone rings first, then the resident's: the call that was due, or one of
    the agent's own."""
    if agent.phone is None:
        raise QueueRefusal("geen-telefoon")
    if not calendar.is_open(now, rules.call_window):
        raise QueueRefusal("buiten-beltijd")
    async with unit_of_work(sessions) as uow:
        await refuse_when_paused(uow.session, Channel.CALL, "bellen-gepauzeerd")
        await _held_by(uow.session, client_id, follow_up_id, agent, now)
        if await calls_to_wrap_up(uow.session, agent.id):
            raise QueueRefusal("eerst-afronden")
        if await is_calling(uow.session, agent.id):  # a second click, or a second tab
            raise QueueRefusal("al-bellend")
        reach = (await load_reach(uow.session, [client_id]))[client_id]
        if reach.opted_out or not any(number.can_call for number in reach.numbers):
            raise QueueRefusal("niet-te-bellen")
        attempt_id = await assign_due_call(uow.session, follow_up_id, agent.id, now)
        if attempt_id is None:
            attempt_id = await queue_agent_attempt(
                uow.session, follow_up_id, agent.id, Channel.CALL, now
            )
        _audit(uow.session, AuditAction.CALL_TAKEN, agent, client_id, attempt_id, now)
        await uow.commit()


async def sms_from_card(
    sessions: async_sessionmaker[AsyncSession],
    client_id: int,
    follow_up_id: int,
    text: str,
    agent: SignedIn,
    now: datetime,
) -> None:
    """Queued now; the dialer sends it inside the window for messages."""
    text = text.strip()
    if not text:
        raise QueueRefusal("leeg-bericht")
    if len(text) > MAX_SMS:
        raise QueueRefusal("te-lang-bericht")
    async with unit_of_work(sessions) as uow:
        await refuse_when_paused(uow.session, Channel.SMS, "sms-gepauzeerd")
        await _held_by(uow.session, client_id, follow_up_id, agent, now)
        reach = (await load_reach(uow.session, [client_id]))[client_id]
        if reach.opted_out or not any(number.can_sms for number in reach.numbers):
            raise QueueRefusal("geen-sms")
        attempt_id = await queue_agent_attempt(
            uow.session, follow_up_id, agent.id, Channel.SMS, now, message=text
        )
        _audit(uow.session, AuditAction.SMS_SENT, agent, client_id, attempt_id, now)
        await uow.commit()


async def _held_by(
    session: AsyncSession, client_id: int, follow_up_id: int, agent: SignedIn, now: datetime
) -> None:
    """The card's follow-up is open, is this resident's, and this agent holds (or now
    takes) it."""
    follow_up = await lock_open_follow_up(session, follow_up_id)
    if follow_up is None:
        raise QueueRefusal("al-uitkomst")
    if follow_up.client_id != client_id:
        raise QueueRefusal("andere-inwoner")
    if not await lease_follow_up(session, follow_up_id, agent.id, now, now + LEASE):
        raise QueueRefusal("bij-collega")


def _audit(
    session: AsyncSession,
    action: AuditAction,
    agent: SignedIn,
    client_id: int,
    attempt_id: int,
    now: datetime,
) -> None:
    record_audit(
        session,
        now=now,
        actor=agent.email,
        action=action,
        user_id=agent.id,
        client_id=client_id,
        detail={"attempt": attempt_id},
    )
