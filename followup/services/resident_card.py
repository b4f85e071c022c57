"""Use case: open a resident's card. Who they are, how they can be reached, their follow-up,
and one timeline of everything that happened. Every opening is audited.

An agent who opens the card of a resident nobody works holds them from then on (a lease,
renewed while the card stays open); a colleague's resident is shown but not theirs to call.
Coordinators and admins look, they do not call."""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.domain import AuditAction, Role
from followup.services.next_resident import LEASE
from followup.store import care_signals
from followup.store import resident_card as card_queries
from followup.store.audit import record_audit
from followup.store.care_signals import CareView
from followup.store.leases import lease_follow_up, renew_leases
from followup.store.reachability import load_reach
from followup.store.resident_card import CurrentFollowUp, Event, Number, Resident
from followup.store.sms_templates import Template, templates
from followup.store.unit_of_work import unit_of_work
from followup.store.users import SignedIn
from followup.store.wrap_ups import call_to_wrap_up, latest_wrap_up


@dataclass(frozen=True, slots=True)
class Card:
    resident: Resident
    numbers: list[Number]
    follow_up: CurrentFollowUp | None
    timeline: list[Event]
    mine: bool  # leased to the agent who looks: theirs to call and to wrap up
    # The agent's call of this resident that waits for a result; for a coordinator or admin,
    # anyone's (they may record it on the agent's behalf).
    call_to_wrap_up: int | None
    can_call: bool
    can_sms: bool
    templates: list[Template]
    last_wrap_up: int  # the latest result recorded for the follow-up (0: none)
    care: CareView | None = None  # the follow-up's care signal, if an agent gave one
    colleagues: list[tuple[int, str]] = field(default_factory=list)  # who may take care on


async def open_card(
    sessions: async_sessionmaker[AsyncSession],
    client_id: int,
    viewer: SignedIn,
    now: datetime,
    *,
    audit: bool = True,
    hold: bool = True,
) -> Card | None:
    """None when there is no such resident (or they were erased). `audit`: False for a page
    that is open already and looks again (its opening was audited, and leased the resident).
    `hold`: False when the agent just finished with the resident and sees the card again."""
    async with unit_of_work(sessions) as uow:
        session = uow.session
        resident = await card_queries.resident(session, client_id)
        if resident is None:
            return None
        follow_up = await card_queries.current_follow_up(session, client_id, now)
        # A page open already does not lease again: `keep_holding` renews its lease.
        if audit and hold and await _hold(session, follow_up, viewer, now):
            # The lease changed: read who holds it again.
            follow_up = await card_queries.current_follow_up(session, client_id, now)
        reach = (await load_reach(session, [client_id]))[client_id]
        reachable = follow_up is not None and follow_up.state == "open" and not reach.opted_out
        card = Card(
            resident=resident,
            numbers=await card_queries.numbers(session, client_id),
            follow_up=follow_up,
            timeline=await card_queries.timeline(session, client_id),
            mine=_holds(follow_up, viewer),
            call_to_wrap_up=await call_to_wrap_up(session, _whose(viewer), follow_up.id)
            if follow_up
            else None,
            can_call=reachable and any(n.can_call for n in reach.numbers),
            can_sms=reachable and any(n.can_sms for n in reach.numbers),
            templates=await templates(session),
            last_wrap_up=await latest_wrap_up(session, follow_up.id) if follow_up else 0,
            care=await care_signals.care_of(session, follow_up.id) if follow_up else None,
            colleagues=await care_signals.colleagues(session),
        )
        if audit:
            _audit_opening(session, client_id, viewer, now)
        await uow.commit()
        return card


async def follow_card(
    sessions: async_sessionmaker[AsyncSession], client_id: int, viewer: SignedIn, now: datetime
) -> None:
    """A card's live stream opens: it shows the card too, so it is audited as an opening."""
    async with unit_of_work(sessions) as uow:
        _audit_opening(uow.session, client_id, viewer, now, live=True)
        await uow.commit()


def _audit_opening(
    session: AsyncSession, client_id: int, viewer: SignedIn, now: datetime, *, live: bool = False
) -> None:
    record_audit(
        session,
        now=now,
        actor=viewer.email,
        action=AuditAction.CARD_OPENED,
        user_id=viewer.id,
        client_id=client_id,
        detail={"live": True} if live else None,
    )


async def _hold(
    session: AsyncSession, follow_up: CurrentFollowUp | None, viewer: SignedIn, now: datetime
) -> bool:
    if viewer.role is not Role.AGENT or follow_up is None or follow_up.state != "open":
        return False
    return await lease_follow_up(session, follow_up.id, viewer.id, now, now + LEASE)


def _whose(viewer: SignedIn) -> int | None:
    return viewer.id if viewer.role is Role.AGENT else None


def _holds(follow_up: CurrentFollowUp | None, viewer: SignedIn) -> bool:
    return (
        viewer.role is Role.AGENT
        and follow_up is not None
        and follow_up.state == "open"
        and follow_up.leased_to == viewer.email
    )


async def keep_holding(
    sessions: async_sessionmaker[AsyncSession], held: Collection[tuple[int, int]], now: datetime
) -> None:
    """Agents who still have a resident's card open keep the lease they hold on them, for
    all (agent, resident) pairs of a process's open cards at once."""
    async with unit_of_work(sessions) as uow:
        await renew_leases(uow.session, held, now + LEASE)
        await uow.commit()
