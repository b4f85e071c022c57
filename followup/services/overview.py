"""Use case: the figures on the start page, as SQL aggregates (no personal data)."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.store.overview_queries import clients_per_wijk, invalid_current_numbers
from followup.store.unit_of_work import unit_of_work


@dataclass(frozen=True, slots=True)
class WijkFigures:
    wijk: str
    clients: int
    due: int


@dataclass(frozen=True, slots=True)
class Overview:
    clients: int
    due: int
    invalid_phones: int
    wijken: list[WijkFigures]


async def overview(sessions: async_sessionmaker[AsyncSession], today: date) -> Overview:
    async with unit_of_work(sessions) as uow:
        rows = await clients_per_wijk(uow.session, today)
        invalid = await invalid_current_numbers(uow.session)
    wijken = [WijkFigures(wijk, clients, due_count) for wijk, clients, due_count in rows]
    return Overview(
        clients=sum(w.clients for w in wijken),
        due=sum(w.due for w in wijken),
        invalid_phones=invalid,
        wijken=wijken,
    )
