"""Use case: the agent records what came of a call (or of the card, without one). The five
outcomes close the follow-up; the other results keep it open and do what they say: a wrong
number is flagged with the agent as evidence and another channel takes over, an agreed
callback is queued for its time, an opt-out is recorded and is absolute. A new number or
address the resident gave replaces the old one, which stays in the history.

All or nothing, and once: a second click, or a colleague who was first, changes nothing and
is told so."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.attempt_failures import FailureDecision, Flag, FlagKind, Recovery
from followup.rules.domain import (
    AuditAction,
    EvidenceSource,
    OptOutSource,
    OutcomeSource,
    Role,
    WrapUpResult,
)
from followup.rules.wrap_up import WrapUpForm, require_call
from followup.services.attempt_failures import carry_out
from followup.services.contact_changes import change_contact
from followup.services.next_resident import LEASE
from followup.services.outcomes import opt_out, record_outcome
from followup.services.refusals import QueueRefusal
from followup.store.attempt_progress import lock_attempts
from followup.store.audit import record_audit
from followup.store.follow_ups import client_of, lock_open_follow_up
from followup.store.leases import lease_follow_up, release_leases
from followup.store.unit_of_work import unit_of_work
from followup.store.users import SignedIn
from followup.store.wrap_ups import (
    agree_callback,
    call_to_wrap_up,
    forget_callback_agent,
    insert_wrap_up,
    latest_wrap_up,
    mark_wrapped_up,
)

WRONG_NUMBER_REASON = "agent"


@dataclass(frozen=True, slots=True)
class WrappedUp:
    closed_meanwhile: bool  # the follow-up had closed already: only the call's result is kept


async def wrap_up(
    sessions: async_sessionmaker[AsyncSession],
    client_id: int,
    follow_up_id: int,
    attempt_id: int | None,
    form: WrapUpForm,
    agent: SignedIn,
    now: datetime,
    recovery: Recovery,
    *,
    seen: int | None = None,
) -> WrappedUp:
    """`attempt_id`: the call the page records, if it knew of one; `seen`: the latest
    wrap-up the page showed (another since means a second click or a colleague).

    A coordinator or admin records only a call an agent left without a result (the agent is
    away, say), so the resident is not held any longer; agents record their own work."""
    on_behalf = agent.role is not Role.AGENT
    whose = None if on_behalf else agent.id
    async with unit_of_work(sessions) as uow:
        session = uow.session
        if await client_of(session, follow_up_id) != client_id:
            raise QueueRefusal("andere-inwoner")
        follow_up = await lock_open_follow_up(session, follow_up_id)
        if seen is not None and await latest_wrap_up(session, follow_up_id) != seen:
            raise QueueRefusal("al-afgerond")
        if attempt_id is None:  # a page from before the call: the call it waits for
            attempt_id = await call_to_wrap_up(session, whose, follow_up_id)
        if on_behalf and attempt_id is None:
            raise QueueRefusal("geen-open-gesprek")
        # The agent's own call is theirs to record; without one, the resident must be theirs.
        if (
            follow_up is not None
            and attempt_id is None
            and not await lease_follow_up(session, follow_up_id, agent.id, now, now + LEASE)
        ):
            raise QueueRefusal("bij-collega")
        require_call(form.result, attempt_id)
        if attempt_id is not None and not await mark_wrapped_up(
            session, attempt_id, whose, follow_up_id, now
        ):
            raise QueueRefusal("al-afgerond")
        if follow_up is None and attempt_id is None:
            raise QueueRefusal("al-uitkomst")
        insert_wrap_up(session, follow_up_id, attempt_id, form, agent.id, now)
        if follow_up is not None:
            await _change_contact(session, client_id, form, agent, now)
            await _carry_out(session, follow_up_id, attempt_id, form, agent, now, recovery)
        await release_leases(session, agent.id)
        record_audit(
            session,
            now=now,
            actor=agent.email,
            action=AuditAction.CALL_WRAPPED_UP,
            user_id=agent.id,
            client_id=client_id,
            detail={
                "attempt": attempt_id,
                "result": form.result.value,
                "outcome": form.outcome.value if form.outcome and follow_up else None,
            },
        )
        await uow.commit()
        return WrappedUp(closed_meanwhile=follow_up is None)


async def _carry_out(
    session: AsyncSession,
    follow_up_id: int,
    attempt_id: int | None,
    form: WrapUpForm,
    agent: SignedIn,
    now: datetime,
    recovery: Recovery,
) -> None:
    if form.outcome is not None:
        await record_outcome(
            session,
            follow_up_id,
            form.outcome,
            now,
            source=OutcomeSource.AGENT,
            reason=form.reason,
            note=form.note,
            user_id=agent.id,
        )
    elif form.result is WrapUpResult.NO_CONTACT_WANTED:
        client_id = await client_of(session, follow_up_id)
        await opt_out(session, client_id, now, source=OptOutSource.AGENT, user_id=agent.id)
    elif form.result is WrapUpResult.WRONG_NUMBER and attempt_id is not None:
        await _wrong_number(session, attempt_id, agent, now, recovery)
    if form.result is WrapUpResult.CALL_BACK and form.callback_at is not None:
        # Kept for the agent who agreed it; one recorded on an agent's behalf is the team's.
        keeper = agent.id if agent.role is Role.AGENT else None
        await agree_callback(session, follow_up_id, keeper, form.callback_at, now)
    else:  # no agreed time (any more): the next call is for whoever is free
        await forget_callback_agent(session, follow_up_id)


async def _wrong_number(
    session: AsyncSession, attempt_id: int, agent: SignedIn, now: datetime, recovery: Recovery
) -> None:
    """As when the carrier proves a number wrong: flagged, with the agent as evidence, and the
    next channel takes over."""
    connection = await session.connection()
    call = (await lock_attempts(connection, [attempt_id]))[attempt_id]
    flag = Flag(FlagKind.WRONG_NUMBER, WRONG_NUMBER_REASON, EvidenceSource.AGENT, agent.email)
    await carry_out(session, FailureDecision(call, flag=flag, contact_lost=True), now, recovery)


async def _change_contact(
    session: AsyncSession, client_id: int, form: WrapUpForm, agent: SignedIn, now: datetime
) -> None:
    await change_contact(
        session,
        client_id,
        now,
        phone=form.new_phone,
        email=form.new_email,
        actor=agent.email,
        user_id=agent.id,
    )
