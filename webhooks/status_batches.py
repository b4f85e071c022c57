"""Status callbacks that arrive while others are being stored wait for them and are then
stored together. The carrier sends them in bursts (every message and call reports several
statuses); one transaction of a few statements then serves dozens of callbacks instead of
each paying for its own round trips to the database. A connection is kept while callbacks
keep coming, and checked once instead of for each batch. Nobody waits for a batch to fill:
a callback that arrives when nothing is being stored is stored at once.

Each request is answered only after the transaction holding its report has committed. A
batch that fails is stored again one report at a time, so one bad report fails alone.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from followup.clock import Clock
from followup.rules.attempt_failures import Recovery
from followup.rules.carrier_status import Applied, StatusReport
from followup.services.carrier_status import apply_statuses

log = logging.getLogger(__name__)
MAX_BATCH = 200  # keeps each transaction, and the locks it holds, short
# Batches stored at once: while one waits for the database, the next is on its way. Each
# locks its attempts in id order, so two batches never deadlock over them.
PARALLEL = 2
# How long a connection is kept for callbacks to come; the carrier sends them in waves.
LINGER = 1.0

Waiting = tuple[StatusReport, "asyncio.Future[Applied]"]


class StatusBatches:
    """One per application, with the tasks that store its batches. `recovery` gives the
    failure rules as they are now (coordinators change the contact windows). Stop it before
    the engine is disposed."""

    def __init__(
        self, engine: AsyncEngine, clock: Clock, recovery: Callable[[], Awaitable[Recovery]]
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._recovery = recovery
        self._waiting: list[Waiting] = []
        self._arrived = asyncio.Event()  # set when a callback is added to `_waiting`
        self._storing = 0  # counted by the tasks themselves, so none is missed as one ends
        self._tasks: set[asyncio.Task[None]] = set()  # the loop keeps only weak references

    async def store(self, report: StatusReport) -> Applied:
        future: asyncio.Future[Applied] = asyncio.get_running_loop().create_future()
        self._waiting.append((report, future))
        self._arrived.set()
        if self._storing < PARALLEL:
            self._storing += 1
            task = asyncio.create_task(self._store_waiting())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await future

    async def _store_waiting(self) -> None:
        batch: list[Waiting] = []
        try:
            while self._waiting:
                batch = self._take()
                try:
                    # One connection while callbacks keep coming: checked once, not for
                    # each batch.
                    async with self._engine.connect() as connection:
                        while batch:
                            failed = await self._store(connection, batch)
                            # After an error the connection may be gone: take a new one.
                            batch = [] if failed else await self._next()
                except Exception as error:  # no connection, or the rules cannot be read
                    for _, future in batch:
                        _settle(future, error)
                    batch = []
        finally:
            self._storing -= 1
            for _, future in batch:  # cancelled: the app is stopping
                if not future.done():
                    future.cancel()

    async def _next(self) -> list[Waiting]:
        """The next batch; when none waits, the first callbacks to arrive within LINGER."""
        deadline = asyncio.get_running_loop().time() + LINGER
        while not self._waiting:  # another task may take what woke this one
            self._arrived.clear()
            remaining = deadline - asyncio.get_running_loop().time()
            try:
                await asyncio.wait_for(self._arrived.wait(), max(remaining, 0))
            except TimeoutError:
                return []
        return self._take()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _store(self, connection: AsyncConnection, batch: list[Waiting]) -> bool:
        """Store the batch and answer each request as soon as its report is stored; whether
        any could not be. After a failure each report is stored alone, so a bad one fails
        alone and the others are stored all the same."""
        now, recovery = self._clock(), await self._recovery()
        reports = [report for report, _ in batch]
        try:
            results = await apply_statuses(connection, reports, now=now, recovery=recovery)
        except Exception as error:
            # The error's text is not logged: it may quote a statement's values.
            log.warning(
                "%d status callbacks failed together (%s); storing them one by one",
                len(batch),
                type(error).__name__,
            )
        else:
            for (_, future), result in zip(batch, results, strict=True):
                _settle(future, result)
            return False
        failed = False
        for report, future in batch:
            try:
                [outcome] = await apply_statuses(connection, [report], now=now, recovery=recovery)
            except Exception as error:
                outcome, failed = error, True
            _settle(future, outcome)
        return failed

    def _take(self) -> list[Waiting]:
        batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
        return batch


def _settle(future: "asyncio.Future[Applied]", outcome: Applied | Exception) -> None:
    if future.done():  # its request went away; the report is stored all the same
        return
    if isinstance(outcome, Exception):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
