"""Use case: the carrier reports statuses of messages and of the legs of calls. Reports that
arrive together are stored together, in their order, with the same effect as one after the
other; a report alone is a batch of one.

Every report is kept as an event under the unique key (SID, status), so a report that comes
twice changes nothing the second time. The rules of `rules.carrier_status` say what a report
does to its attempt (a late `sent` never undoes `delivered`); a failed delivery or call goes
through the same failure rules as a refusal at sending. A report that fits no attempt is kept
as an orphan.

A batch costs a handful of statements, whatever its size: the attempts locked in one (in id
order, so two batches never deadlock over them), the events inserted in one, the attempts'
new progress written in one. It works on the connection, without an ORM session, unless a
report fails its attempt: the ORM is most of the cost of a batch, and failures are few.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from followup.rules import attempt_failures as failures
from followup.rules.attempt import AttemptProgress
from followup.rules.attempt_failures import FailureDecision, Recovery
from followup.rules.call_answers import newly_finished
from followup.rules.carrier_errors import failed_delivery
from followup.rules.carrier_status import (
    Applied,
    StatusReport,
    adopt,
    advance,
    agent_missed,
    fits,
)
from followup.rules.domain import AttemptState
from followup.services.attempt_failures import carry_out
from followup.store import attempt_progress as q
from followup.store.call_counts import count_finished_calls


async def apply_statuses(
    connection: AsyncConnection,
    reports: Sequence[StatusReport],
    *,
    now: datetime,
    recovery: Recovery,
) -> list[Applied]:
    """What each report did, in order. One transaction: all are stored, or none."""
    async with connection.begin():
        attempts, named = await _locate(connection, reports)
        batch = _Batch(connection, now, recovery, attempts, _statuses(attempts))
        try:
            return await batch.run(reports, named)
        finally:
            await batch.close()


async def _locate(
    connection: AsyncConnection, reports: Sequence[StatusReport]
) -> tuple[dict[int, AttemptProgress], list[int | None]]:
    """The attempts the reports name, locked, and the one each names: the attempt in its
    callback URL, or else the one with its SID."""
    unnamed = {(r.about_agent, r.sid) for r in reports if r.attempt_id is None}
    found = await q.attempts_by_sid(connection, unnamed) if unnamed else {}
    named = [
        r.attempt_id if r.attempt_id is not None else found.get((r.about_agent, r.sid))
        for r in reports
    ]
    return await q.lock_attempts(connection, {i for i in named if i is not None}), named


def _adopted(attempt: AttemptProgress, report: StatusReport, now: datetime) -> AttemptProgress:
    return adopt(attempt, report.sid, now, agent_leg=report.about_agent)


def _statuses(attempts: dict[int, AttemptProgress]) -> dict[int, str | None]:
    return {attempt_id: attempt.carrier_status for attempt_id, attempt in attempts.items()}


def _events(
    reports: Sequence[StatusReport], owners: Sequence[int | None], now: datetime
) -> list[dict[str, Any]]:
    """One event per (SID, status): the first of a repeat is kept."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for report, owner in zip(reports, owners, strict=True):
        rows.setdefault(
            (report.sid, report.status),
            {
                "resource": report.resource.value,
                "sid": report.sid,
                "status": report.status,
                "attempt_id": owner,
                "error_code": report.error_code,
                "payload": report.payload,
                "received_at": now,
            },
        )
    return list(rows.values())


@dataclass
class _Batch:
    connection: AsyncConnection
    now: datetime
    recovery: Recovery
    attempts: dict[int, AttemptProgress]  # as the reports so far left them
    # The resident's leg's status each attempt had before the batch: a call counts for the
    # answer rates once, in the batch that gives it its final status.
    before: dict[int, str | None]
    changed: set[int] = field(default_factory=set)  # since they were last written
    session: AsyncSession | None = None  # opened for the first failure only

    def _keep(self, attempt: AttemptProgress) -> None:
        if attempt is not self.attempts[attempt.id]:
            self.attempts[attempt.id] = attempt
            self.changed.add(attempt.id)

    async def run(
        self, reports: Sequence[StatusReport], named: Sequence[int | None]
    ) -> list[Applied]:
        owners = self._owners(reports, named)
        new = await q.insert_new_events(self.connection, _events(reports, owners, self.now))
        results = []
        for report, owner in zip(reports, owners, strict=True):
            key = (report.sid, report.status)
            if key not in new:
                results.append(Applied.DUPLICATE)
                continue
            new.discard(key)  # a repeat later in this batch is a duplicate
            results.append(Applied.ORPHAN if owner is None else await self._apply(owner, report))
        await self._write()
        finished = [
            attempt
            for attempt in self.attempts.values()
            if newly_finished(self.before.get(attempt.id), attempt)
        ]
        await count_finished_calls(self.connection, finished, self.recovery.calendar.zone, self.now)
        return results

    def _owners(
        self, reports: Sequence[StatusReport], named: Sequence[int | None]
    ) -> list[int | None]:
        """The attempt each report is about, or None for an orphan. A report can give an
        attempt its SID (`adopt`), so each is matched after those before it."""
        seen = dict(self.attempts)
        owners: list[int | None] = []
        for report, attempt_id in zip(reports, named, strict=True):
            attempt = seen.get(attempt_id)
            if attempt is None or not fits(attempt, report):
                owners.append(None)
                continue
            owners.append(attempt.id)
            seen[attempt.id] = _adopted(attempt, report, self.now)
        return owners

    async def _apply(self, attempt_id: int, report: StatusReport) -> Applied:
        attempt = self.attempts[attempt_id]
        if not fits(attempt, report):  # a SID it was to adopt came as a duplicate
            return Applied.ORPHAN
        attempt = _adopted(attempt, report, self.now)
        if report.about_agent:
            if not agent_missed(attempt, report):
                self._keep(attempt)
                return Applied.OUTRANKED
            await self._fail(failures.agent_missed(attempt, self.now))
            return Applied.FAILED
        attempt, applied = advance(attempt, report, self.now)
        if applied is not Applied.FAILED:
            self._keep(attempt)
            return applied
        rejected = failed_delivery(report.resource, report.status, report.error_code)
        await self._fail(failures.decide(attempt, rejected, self.now, self.recovery))
        return Applied.FAILED

    async def _fail(self, decision: FailureDecision) -> None:
        """Failure handling reads and writes other rows (numbers, follow-ups, the queue):
        what the batch changed so far is written first, and the attempts it may have
        cancelled meanwhile are read again."""
        self._keep(decision.attempt)
        await self._write()
        if self.session is None:
            # The session joins this transaction: it commits, or not, with the batch.
            self.session = AsyncSession(self.connection, expire_on_commit=False)
        await carry_out(self.session, decision, self.now, self.recovery)
        await self.session.flush()
        queued = [i for i, a in self.attempts.items() if a.state is AttemptState.QUEUED]
        if queued:
            self.attempts.update(await q.lock_attempts(self.connection, queued))

    async def _write(self) -> None:
        await q.write_progress(self.connection, [self.attempts[i] for i in self.changed])
        self.changed.clear()

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
