"""Use case: one look at the database for all of a process's open live pages at once (the
agents' queue, residents' cards): who of their users may still see them, what each queue
page shows, and whether anything on each open card can have changed. A fixed number of
queries however many pages are open; a card that changed is then read again on its own."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.services.agent_queue import AgentQueue, queues_of
from followup.store.resident_card import card_signatures
from followup.store.unit_of_work import unit_of_work
from followup.store.users import SignedIn, users_in_use


@dataclass(frozen=True, slots=True)
class Look:
    users: dict[int, SignedIn]  # by id: those still in use (not disabled), as they are now
    queues: dict[int, AgentQueue]  # by viewer's id
    # By resident: a value that changes when their card may show something new; a resident
    # erased (or not found) is not in it.
    cards: dict[int, int]


async def look(
    sessions: async_sessionmaker[AsyncSession],
    user_ids: Collection[int],
    queue_viewers: Collection[int],
    card_residents: Collection[int],
    now: datetime,
) -> Look:
    """`user_ids`: of all open pages; `queue_viewers`: of the open queue pages;
    `card_residents`: whose cards are open. Audits nothing: the caller records what a page
    was shown (`agent_queue.record_views`)."""
    async with unit_of_work(sessions) as uow:
        users = await users_in_use(uow.session, user_ids) if user_ids else {}
        viewers = [users[i] for i in queue_viewers if i in users]
        queues = await queues_of(uow.session, viewers, now) if viewers else {}
        cards = await card_signatures(uow.session, card_residents) if card_residents else {}
        return Look(users, queues, cards)
