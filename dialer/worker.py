"""The dialer's worker: one pass sends every attempt that is due now, then returns.

A pass first settles attempts left `sending` by a worker that died or heard nothing clear
(it asks the carrier; it never simply sends again), then claims due attempts in batches,
sends each batch concurrently within the channels' rate limits, and records the answers.
Several workers may run at once: claims never overlap.
"""

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialer.rate_limit import TokenBucket
from followup.clock import Clock, utc_now
from followup.rules.carrier_errors import Failure, Rejected, lookup_failure
from followup.rules.domain import Channel, EvidenceSource
from followup.services.dispatch import Recorded, claim_due, record_results, stale_sending
from followup.services.outreach import Outreach
from followup.services.ports import (
    Accepted,
    ChannelAdapter,
    NumberLookup,
    Outbound,
    SendResult,
    Unsure,
)
from followup.unexpected_errors import log_unexpected

log = logging.getLogger(__name__)


class SendingStopped(Exception):
    """The carrier or mail server refused our own credentials or sender: sending stops
    instead of burning through the queue. The message is Dutch, for the operator."""


@dataclass(slots=True)
class PassSummary:
    sent: int = 0
    failed: int = 0
    cancelled: int = 0
    unsure: int = 0
    reconciled: int = 0
    seconds: float = 0.0  # how long the pass took

    def add(self, recorded: Recorded) -> None:
        self.sent += recorded.sent
        self.failed += recorded.failed
        self.unsure += recorded.unsure


class Dispatcher:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        adapters: Mapping[Channel, ChannelAdapter],
        buckets: Mapping[Channel, TokenBucket],
        *,
        lookup: NumberLookup | None = None,
        batch_size: int = 200,
        concurrency: int = 32,
        reconcile_after: timedelta = timedelta(minutes=2),
        clock: Clock = utc_now,
    ) -> None:
        self.sessions = sessions
        self.adapters = adapters
        self.buckets = buckets
        self.lookup = lookup
        self.batch_size = batch_size
        self.slots = asyncio.Semaphore(concurrency)
        self.reconcile_after = reconcile_after
        self.clock = clock
        self.stopped: Rejected | None = None

    async def run_pass(self, outreach: Outreach, now: datetime | None = None) -> PassSummary:
        """Send what is due at `now` (default: the clock, read again for every batch, so a
        long pass stops when the contact window closes).

        While one batch is with the carrier, the next is claimed and the one before is
        recorded: the database's round trips overlap the carrier's instead of adding up.
        """
        summary = PassSummary()
        started = time.perf_counter()
        summary.reconciled = await self.reconcile(outreach, now or self.clock())
        batch = await self._claim(outreach, now, summary)
        following: asyncio.Task[list[Outbound]] | None = None
        recording: asyncio.Task[Recorded] | None = None
        try:
            while batch or recording is not None:
                if not batch:
                    # The last answers may have queued more (a retry, a fallback): go on.
                    summary.add(await recording)
                    recording = None
                    if self.stopped is None:
                        batch = await self._claim(outreach, now, summary)
                    continue
                if self.stopped is None:
                    following = asyncio.create_task(self._claim(outreach, now, summary))
                looked_up: set[int] = set()
                results = await asyncio.gather(*(self._send(o, looked_up) for o in batch))
                if recording is not None:
                    summary.add(await recording)
                recording = asyncio.create_task(
                    record_results(
                        self.sessions,
                        list(zip(batch, results, strict=True)),
                        now=now or self.clock(),
                        outreach=outreach,
                        looked_up=looked_up,
                    )
                )
                batch = await following if following is not None else []
                following = None
        finally:
            # After a failure, a batch claimed but not sent stays `sending`: the reconciler
            # finds nothing at the carrier and puts it back in the queue.
            for task in (following, recording):
                if task is not None and not task.done():
                    task.cancel()
                    await asyncio.gather(task, return_exceptions=True)
        if self.stopped is not None:
            raise SendingStopped(_stopped_message(self.stopped))
        summary.seconds = round(time.perf_counter() - started, 3)
        return summary

    async def _claim(
        self, outreach: Outreach, now: datetime | None, summary: PassSummary
    ) -> list[Outbound]:
        """The next batch to send; empty when nothing is due any more."""
        while True:
            claimed = await claim_due(
                self.sessions,
                now=now or self.clock(),
                channels=self.adapters.keys(),
                limit=self.batch_size,
                outreach=outreach,
            )
            summary.cancelled += claimed.cancelled
            summary.failed += claimed.failed
            if claimed.outbound or not (claimed.cancelled or claimed.failed):
                return claimed.outbound

    async def reconcile(self, outreach: Outreach, now: datetime) -> int:
        """Ask the carrier about attempts left `sending`: what it has is recorded as sent,
        what it certainly does not have goes back in the queue, the rest waits."""
        stale = await stale_sending(
            self.sessions,
            before=now - self.reconcile_after,
            limit=self.batch_size,
            outreach=outreach,
        )
        results: list[tuple[Outbound, SendResult]] = []
        for outbound, known in stale:
            found = await self.adapters[outbound.channel].find(outbound, known)
            if isinstance(found, Accepted):
                results.append((outbound, found))
            elif found is None:
                results.append(
                    (outbound, Rejected(Failure.TRANSIENT, None, "de provider kent het niet"))
                )
            else:
                log.warning(
                    "attempt %d: carrier could not tell: %s", outbound.attempt_id, found.detail
                )
        if results:
            await record_results(self.sessions, results, now=now, outreach=outreach)
        return len(results)

    async def _send(self, outbound: Outbound, looked_up: set[int]) -> SendResult:
        async with self.slots:
            if self.stopped is not None:
                return Rejected(Failure.ACCOUNT, None, "niet verstuurd: versturen is gestopt")
            await self.buckets[outbound.channel].take()
            try:
                result = await self._checked(outbound, looked_up)
            except Exception as error:  # never lose an attempt to a bug in an adapter
                log_unexpected(log, error, f"while sending attempt {outbound.attempt_id}")
                result = Unsure(f"onverwachte fout: {type(error).__name__}")
            if isinstance(result, Rejected) and result.failure is Failure.ACCOUNT:
                self.stopped = result
            return result

    async def _checked(self, outbound: Outbound, looked_up: set[int]) -> SendResult:
        if outbound.lookup and self.lookup is not None and outbound.number_id is not None:
            found = await self.lookup.lookup(outbound.to)
            if found is not None:
                looked_up.add(outbound.number_id)
                if failure := lookup_failure(found.valid, found.mobile):
                    return Rejected(failure, None, found.detail, EvidenceSource.LOOKUP)
        return await self.adapters[outbound.channel].send(outbound)


def _stopped_message(rejected: Rejected) -> str:
    return (
        f"versturen is gestopt: de provider weigert onze inloggegevens of afzender "
        f"({rejected.detail}). Controleer FOLLOWUP_TWILIO_ACCOUNT_SID, "
        "FOLLOWUP_TWILIO_AUTH_TOKEN, FOLLOWUP_TWILIO_FROM en FOLLOWUP_SMTP_URL."
    )
