"""Use case: many status reports that arrived together, applied with the same effect as
`apply_status` one after the other in their order, in a handful of statements for all of
them instead of a handful each: the attempts locked in one (in id order, so two batches
never deadlock over them), the events inserted in one (the unique key tells which are new),
the attempts' new progress written in one.

Only a report that makes its attempt fail needs the attempt as a row of its own (failure
handling flags numbers, plans retries); that attempt's later reports in the batch follow it
there, in order. Reports the batch cannot take (no attempt named, the agent's leg, a SID the
attempt does not know yet) are rare and left to `apply_status`.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from followup.rules.domain import Channel
from followup.services.attempt_failures import Recovery
from followup.services.carrier_status import (
    Applied,
    Leg,
    Progress,
    StatusReport,
    advance,
    apply_to_attempt,
    event_row,
    fail,
    knows,
)
from followup.store import callback_batches as q
from followup.store.tables import Attempt


@dataclass(slots=True)
class _Attempt:
    id: int
    channel: Channel
    carrier_sid: str | None
    agent_leg_sid: str | None
    progress: Progress


_progress_of = attrgetter(*q.PROGRESS)  # a plain tuple, to see what changed


async def apply_statuses(
    connection: AsyncConnection,
    reports: Sequence[StatusReport],
    *,
    now: datetime,
    recovery: Recovery,
) -> list[Applied | None]:
    """None for a report left to `apply_status`: one that names no attempt, is about the
    agent's leg, or whose attempt does not know its SID yet (an orphan, a SID to adopt).

    Works on the connection itself, without an ORM session, unless a report fails its
    attempt: the ORM is most of the cost of a batch, and failures are few."""
    results: list[Applied | None] = [None] * len(reports)
    async with connection.begin():
        attempts = await _lock(connection, reports)
        together = [
            (i, report, attempts[report.attempt_id])
            for i, report in enumerate(reports)
            if report.leg is not Leg.AGENT
            and report.attempt_id in attempts
            and knows(attempts[report.attempt_id], report)
        ]
        new = await _insert_events(connection, together, now)
        before = {a.id: _progress_of(a.progress) for a in attempts.values()}
        failing: set[int] = set()  # attempts that go through failure handling
        later: list[tuple[int, StatusReport, bool]] = []  # (index, report, is its failure)
        for i, report, attempt in together:
            key = (report.sid, report.status)
            if key not in new:
                results[i] = Applied.DUPLICATE
                continue
            new.discard(key)  # a repeat later in this batch is a duplicate
            if attempt.id in failing:
                later.append((i, report, False))
                continue
            results[i] = advance(attempt.progress, report, now)
            if results[i] is None:
                failing.add(attempt.id)
                later.append((i, report, True))
        await q.write_progress(
            connection,
            [_row(a) for a in attempts.values() if _progress_of(a.progress) != before[a.id]],
        )
        if later:
            # The session joins this transaction: it commits, or not, with the batch.
            async with AsyncSession(connection, expire_on_commit=False) as session:
                await _handle_failures(session, later, results, now, recovery)
                await session.flush()
    return results


async def _handle_failures(
    session: AsyncSession,
    later: list[tuple[int, StatusReport, bool]],
    results: list[Applied | None],
    now: datetime,
    recovery: Recovery,
) -> None:
    """Failure handling works on the attempts' rows, written by now with what came before
    in the batch; the attempt's later reports follow, in order."""
    ids = {report.attempt_id for _, report, _ in later}
    rows = {a.id: a for a in await session.scalars(sa.select(Attempt).where(Attempt.id.in_(ids)))}
    for i, report, is_failure in later:
        row = rows[report.attempt_id]
        if is_failure:
            await fail(session, row, report, now, recovery)
            results[i] = Applied.APPLIED
        else:
            results[i] = await apply_to_attempt(session, row, report, now, recovery)


async def _lock(
    connection: AsyncConnection, reports: Sequence[StatusReport]
) -> dict[int, _Attempt]:
    ids = sorted({r.attempt_id for r in reports if r.attempt_id and r.leg is not Leg.AGENT})
    if not ids:
        return {}
    rows = await q.lock_attempts(connection, ids)
    return {row[0]: _Attempt(*row[:4], Progress(*row[4:])) for row in rows}


async def _insert_events(
    connection: AsyncConnection, together: list[tuple[int, StatusReport, _Attempt]], now: datetime
) -> set[tuple[str, str]]:
    """The (SID, status) pairs that were not known yet; the first of a repeat is kept."""
    rows: dict[tuple[str, str], dict] = {}
    for _, report, attempt in together:
        rows.setdefault((report.sid, report.status), event_row(report, attempt.id, now))
    return await q.insert_new_events(connection, list(rows.values()))


def _row(attempt: _Attempt) -> tuple:
    progress = attempt.progress
    return (attempt.id, progress.state.value, *_progress_of(progress)[1:])
