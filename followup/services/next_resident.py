"""Use case: "Volgende inwoner". The agent gets the next resident whose call is due, leased to
them so no colleague gets the same resident; not before the agent recorded the result of
their last call, and not outside the call window."""

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import Channel
from followup.rules.planning_rules import PlanningRules
from followup.rules.wrap_up import CALLBACK_GRACE
from followup.services.pacing import refuse_when_paused
from followup.services.refusals import QueueRefusal
from followup.store import leases
from followup.store.follow_ups import client_of
from followup.store.leases import Lease
from followup.store.unit_of_work import unit_of_work
from followup.store.users import SignedIn
from followup.store.wrap_ups import calls_to_wrap_up

# A lease lasts this long; an open card renews it, so it lapses a few minutes after the agent
# went away without finishing.
LEASE = timedelta(minutes=5)


class WrapUpFirst(QueueRefusal):
    """The agent's last call has no result yet; `client_id` is whose card records it."""

    def __init__(self, client_id: int) -> None:
        super().__init__("eerst-afronden")
        self.client_id = client_id


async def next_resident(
    sessions: async_sessionmaker[AsyncSession],
    agent: SignedIn,
    now: datetime,
    rules: PlanningRules,
    calendar: ContactCalendar,
) -> Lease:
    if not calendar.is_open(now, rules.call_window):
        raise QueueRefusal("buiten-beltijd")
    async with unit_of_work(sessions) as uow:
        # Calls paused: a resident taken now could not be called.
        await refuse_when_paused(uow.session, Channel.CALL, "bellen-gepauzeerd")
        lease = await leases.lease_next(
            uow.session, agent.id, now, until=now + LEASE, grace_start=now - CALLBACK_GRACE
        )
        if lease is None and (waiting := await calls_to_wrap_up(uow.session, agent.id)):
            _, follow_up_id = waiting[0]
            raise WrapUpFirst(await client_of(uow.session, follow_up_id))
        await leases.release_leases(uow.session, agent.id, keep=lease and lease.follow_up_id)
        await uow.commit()
    if lease is None:
        raise QueueRefusal("niemand")
    return lease
