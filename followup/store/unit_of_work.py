"""One use case, one transaction: a session whose work is kept only when the use case
commits it. An error, a dry run or a use case that only reads leaves nothing behind."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


class UnitOfWork:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def commit(self) -> None:
        await self.session.commit()


@asynccontextmanager
async def unit_of_work(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[UnitOfWork]:
    async with sessions() as session:
        try:
            yield UnitOfWork(session)
        finally:
            if session.in_transaction():
                await session.rollback()
