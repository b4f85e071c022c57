"""Use case: give an empty demo installation realistic clients to work with."""

from datetime import date, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.demo_data import demo_rows, write_demo_file
from followup.services.import_clients import ImportResult, import_clients
from followup.store.clients import any_clients
from followup.store.unit_of_work import unit_of_work

DEMO_CLIENTS = 3_000


async def load_demo_data(
    sessions: async_sessionmaker[AsyncSession], directory: Path, *, today: date, now: datetime
) -> ImportResult | None:
    """Import a generated demo file through the normal import, once: None if clients exist."""
    async with unit_of_work(sessions) as uow:
        if await any_clients(uow.session):
            return None
    path = write_demo_file(directory / "demo-clients.csv", demo_rows(DEMO_CLIENTS, today))
    return await import_clients(sessions, path, today=today, now=now, actor="demo")
