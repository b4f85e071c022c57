"""Which process runs the scheduled jobs: on PostgreSQL, whoever holds an advisory lock;
on SQLite (one host, one file) every process may. Correctness never rests on this alone:
every job is idempotent and unique keys stop duplicates."""

import asyncio
import logging

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)
LOCK_KEY = 0x666F6C6C6F777570  # "followup"


class Leadership:
    def __init__(self, engine: AsyncEngine):
        self._engine = engine
        self._connection: AsyncConnection | None = None
        # The jobs ask at the same moments (all of them at start-up): one asks at a time, or
        # each would take a connection of its own and all but one would find the lock taken
        # by this very process.
        self._asking = asyncio.Lock()
        self._unreachable = False  # said once per outage, not at every tick

    async def is_leader(self) -> bool:
        """False also while the database cannot be reached: no job could run then, and the
        jobs ask again at their next tick."""
        if self._engine.dialect.name != "postgresql":
            return True
        async with self._asking:
            try:
                leading = await self._still_or_now_leader()
            except (OSError, DBAPIError) as error:
                if not self._unreachable:
                    log.warning(
                        "the database cannot be reached for the scheduled jobs (%s); "
                        "trying again at every tick",
                        type(error).__name__,
                    )
                self._unreachable = True
                return False
            self._unreachable = False
            return leading

    async def _still_or_now_leader(self) -> bool:
        if self._connection is not None:
            try:
                await self._connection.execute(sa.text("SELECT 1"))
                return True
            except Exception:  # the connection, and with it the lock, is gone
                log.warning("lost the scheduler lock's connection; trying to lead again")
                await self.release()
        return await self._try_acquire()

    async def _try_acquire(self) -> bool:
        # Autocommit: the lock is held by the session, and no transaction stays open for hours.
        connection = await (await self._engine.connect()).execution_options(
            isolation_level="AUTOCOMMIT"
        )
        got = await connection.scalar(sa.select(sa.func.pg_try_advisory_lock(LOCK_KEY)))
        if got:
            self._connection = connection
            log.info("this process now runs the scheduled jobs")
            return True
        await connection.close()
        return False

    async def release(self) -> None:
        """Give the lock up. A pooled connection outlives `close()`, and the lock with it,
        so unlock first; a broken connection is thrown away instead."""
        if self._connection is None:
            return
        connection, self._connection = self._connection, None
        try:
            await connection.execute(sa.select(sa.func.pg_advisory_unlock(LOCK_KEY)))
            await connection.close()
        except Exception:
            await connection.invalidate()
