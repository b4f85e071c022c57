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
from followup.store.sign_in_sessions import live_users
from followup.store.unit_of_work import unit_of_work
from followup.store.users import SignedIn


@dataclass(frozen=True, slots=True)
class Look:
    # By sign-in session: whom it still signs in (not ended, lapsed or idle; the user not
    # disabled), as they are now.
    users: dict[str, SignedIn]
    queues: dict[int, AgentQueue]  # by viewer's id
    # By resident: a value that changes when their card may show something new; a resident
    # erased (or not found) is not in it.
    cards: dict[int, int]


async def look(
    sessions: async_sessionmaker[AsyncSession],
    session_keys: Collection[str],
    queue_keys: Collection[str],
    card_residents: Collection[int],
    now: datetime,
) -> Look:
    """`session_keys`: the sign-in sessions of all open pages; `queue_keys`: of the open queue
    pages; `card_residents`: whose cards are open. Audits nothing: the caller records what a
    page was shown (`agent_queue.record_views`)."""
    async with unit_of_work(sessions) as uow:
        users = await live_users(uow.session, session_keys, now) if session_keys else {}
        viewers = list({users[k].id: users[k] for k in queue_keys if k in users}.values())
        queues = await queues_of(uow.session, viewers, now) if viewers else {}
        cards = await card_signatures(uow.session, card_residents) if card_residents else {}
        return Look(users, queues, cards)
