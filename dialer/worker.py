"""The dialer's worker: one pass sends every attempt that is due now, then returns.

A pass first settles attempts left `sending` by a worker that died or heard nothing clear
(it asks the carrier; it never simply sends again), then claims due attempts in batches,
sends each batch concurrently within the channels' rate limits, and records the answers.
Several workers may run at once: claims never overlap.

An outage of the carrier or the mail server holds attempts instead of failing them: once a
channel's service fails, the rest of its batch waits unsent, and later passes probe it with
one attempt at growing intervals (`rules.outages`) until it answers clearly again. What each
channel's service does is kept in the database, for `/healthz` and the pages.
"""

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialer.rate_limit import TokenBucket
from followup.clock import Clock, utc_now
from followup.outage_log import DATABASE
from followup.rules import outages as health_rules
from followup.rules.carrier_errors import Failure, Rejected, lookup_failure
from followup.rules.domain import Channel, EvidenceSource
from followup.rules.outages import ChannelHealth, Gate, ProbePolicy, Verdict
from followup.services.channel_health import Outage, outages, read_health, write_health
from followup.services.dispatch import (
    Claimed,
    Recorded,
    claim_due,
    record_results,
    stale_sending,
    still_to_send,
)
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
# Not sent: the channel's service failed moments ago in this pass. Not an answer of it.
HELD = Rejected(Failure.UNREACHABLE, None, "niet geprobeerd: de dienst is niet bereikbaar")


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
    held: int = 0  # not sent because the carrier or mail server failed: they wait
    seconds: float = 0.0  # how long the pass took
    outages: list[Outage] = field(default_factory=list)  # failing at the end of the pass

    def add(self, recorded: Recorded) -> None:
        self.sent += recorded.sent
        self.failed += recorded.failed
        self.unsure += recorded.unsure
        self.held += recorded.held


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
        probes: ProbePolicy | None = None,
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
        self.probes = probes or ProbePolicy()
        self.health: dict[Channel, ChannelHealth] = {}  # as this pass last saw it
        self._probed: set[Channel] = set()  # failing channels probed in this pass
        self._probes: set[int] = set()  # the attempts claimed as probes
        self._down: set[Channel] = set()  # failed in the batch under way: hold the rest

    async def run_pass(self, outreach: Outreach, now: datetime | None = None) -> PassSummary:
        """Send what is due at `now` (default: the clock, read again for every batch, so a
        long pass stops when the contact window closes).

        While one batch is with the carrier, the next is claimed and the one before is
        recorded: the database's round trips overlap the carrier's instead of adding up.
        """
        summary = PassSummary()
        started = time.perf_counter()
        self.health = await read_health(self.sessions)
        self._probed.clear()
        self._probes.clear()
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
                batch, results, looked_up = await self.send_claimed(
                    batch, now or self.clock(), summary
                )
                await self._judge(batch, results, now or self.clock())
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
        if any(self.health[c].failing for c in self.adapters):
            summary.outages = await outages(self.sessions, now or self.clock(), self.adapters)
        DATABASE.working()
        summary.seconds = round(time.perf_counter() - started, 3)
        return summary

    async def send_claimed(
        self, batch: list[Outbound], now: datetime, summary: PassSummary
    ) -> tuple[list[Outbound], list[SendResult], set[int]]:
        """Send a claimed batch; what was stopped since the claim (a care mark, an opt-out, a
        closed follow-up) is cancelled instead. The batch sent, its results, and the numbers
        looked up on the way."""
        to_send = await still_to_send(self.sessions, batch, now)
        summary.cancelled += len(batch) - len(to_send)
        looked_up: set[int] = set()
        results = await asyncio.gather(*(self._send(o, looked_up) for o in to_send))
        return to_send, list(results), looked_up

    async def _claim(
        self, outreach: Outreach, now: datetime | None, summary: PassSummary
    ) -> list[Outbound]:
        """The next batch to send; empty when nothing is due any more."""
        while True:
            claimed = await self._claim_open_and_probes(outreach, now or self.clock())
            summary.cancelled += claimed.cancelled
            summary.failed += claimed.failed
            if claimed.outbound or not (claimed.cancelled or claimed.failed):
                return claimed.outbound

    async def _claim_open_and_probes(self, outreach: Outreach, now: datetime) -> Claimed:
        """A batch on the working channels, and one attempt on each failing channel whose
        next try has come, once a pass."""
        gates = {c: health_rules.gate(self.health[c], now) for c in self.adapters}
        claims = [({c for c, g in gates.items() if g is Gate.OPEN}, self.batch_size, False)]
        for channel in [c for c, g in gates.items() if g is Gate.PROBE and c not in self._probed]:
            self._probed.add(channel)
            claims.append(({channel}, 1, True))
        claimed = Claimed()
        for channels, limit, probe in claims:
            if not channels:
                continue
            part = await claim_due(
                self.sessions, now=now, channels=channels, limit=limit, outreach=outreach
            )
            if probe:
                self._probes.update(o.attempt_id for o in part.outbound)
            claimed.outbound += part.outbound
            claimed.cancelled += part.cancelled
            claimed.failed += part.failed
        return claimed

    async def _judge(self, batch: list[Outbound], results: list[SendResult], now: datetime) -> None:
        """What this batch's answers say of each channel's service; a change is stored and
        logged once (not once per attempt)."""
        self._down.clear()
        answers: dict[Channel, list[Failure | None]] = {}
        for outbound, result in zip(batch, results, strict=True):
            if result is not HELD:
                answers.setdefault(outbound.channel, []).append(_failure(result))
        changed = []
        for channel, failures in answers.items():
            before = self.health[channel]
            seen = health_rules.verdict(failures)
            if seen is None or (seen is Verdict.WORKING and not before.failing):
                continue
            kind = next((f.value for f in failures if f is not None), None)
            self.health[channel] = health_rules.after(before, seen, kind, now, self.probes)
            changed.append(self.health[channel])
            if seen is Verdict.WORKING:
                log.warning("%s service works again", channel.value)
            elif not before.failing:
                log.warning("%s service failing (%s): its attempts wait", channel.value, kind)
        if changed:
            await write_health(self.sessions, changed)

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
            if health_rules.gate(self.health[outbound.channel], now) is Gate.WAIT:
                continue  # its service is down: asking it now would tell nothing
            found = await self.adapters[outbound.channel].find(outbound, known)
            if isinstance(found, Accepted):
                results.append((outbound, found))
            elif found is None:
                # The carrier lost it or never had it: its failure, not the resident's.
                results.append(
                    (outbound, Rejected(Failure.UNREACHABLE, None, "de provider kent het niet"))
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
            if self._holds(outbound):
                return HELD
            await self.buckets[outbound.channel].take()
            try:
                result = await self._checked(outbound, looked_up)
            except Exception as error:  # never lose an attempt to a bug in an adapter
                log_unexpected(log, error, f"while sending attempt {outbound.attempt_id}")
                result = Unsure(f"onverwachte fout: {type(error).__name__}")
            if isinstance(result, Rejected) and result.failure is Failure.ACCOUNT:
                self.stopped = result
            if health_rules.is_outage(_failure(result)):
                self._down.add(outbound.channel)
            return result

    def _holds(self, outbound: Outbound) -> bool:
        """Not sent: its channel failed in this batch, or in an earlier one while this
        attempt was being claimed (only a probe goes to a failing channel)."""
        channel = outbound.channel
        return channel in self._down or (
            self.health[channel].failing and outbound.attempt_id not in self._probes
        )

    async def _checked(self, outbound: Outbound, looked_up: set[int]) -> SendResult:
        if outbound.lookup and self.lookup is not None and outbound.number_id is not None:
            found = await self.lookup.lookup(outbound.to)
            if found is not None:
                looked_up.add(outbound.number_id)
                if failure := lookup_failure(found.valid, found.mobile):
                    return Rejected(failure, None, found.detail, EvidenceSource.LOOKUP)
        return await self.adapters[outbound.channel].send(outbound)


def _failure(result: SendResult) -> Failure | None:
    if isinstance(result, Accepted):
        return None
    return Failure.UNCERTAIN if isinstance(result, Unsure) else result.failure


def _stopped_message(rejected: Rejected) -> str:
    return (
        f"versturen is gestopt: de provider weigert onze inloggegevens of afzender "
        f"({rejected.detail}). Controleer FOLLOWUP_TWILIO_ACCOUNT_SID, "
        "FOLLOWUP_TWILIO_AUTH_TOKEN, FOLLOWUP_TWILIO_FROM en FOLLOWUP_SMTP_URL."
    )
