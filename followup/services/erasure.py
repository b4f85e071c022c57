"""Use cases: erase the residents whose follow-ups closed longer ago than the retention period
(`followup purge`, daily from the scheduler), or one resident now (`followup erase`).

A resident is erased whole in one transaction, with an audit record of how many were erased
and never of whom: a purge that stops half-way leaves each resident erased or untouched, and
running it again finishes the rest. An opted-out resident leaves digests of their numbers and
addresses behind (`services/kept_opt_outs.py`), so they are never contacted again.
"""

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.domain import AuditAction, OutcomeSource
from followup.rules.erasure import retention_cutoff
from followup.services.outcomes import close_as_withdrawn
from followup.store import erasure, opt_out_hashes
from followup.store.audit import record_audit
from followup.store.clients import client_id_of
from followup.store.opt_outs import opted_out
from followup.store.unit_of_work import unit_of_work

BATCH = 1000  # residents per transaction: short locks, and few statements per resident


class ErasureError(ValueError):
    """The resident cannot be erased; the message says why, in Dutch."""


@dataclass(slots=True)
class PurgeResult:
    older_than_months: int
    cutoff: datetime
    dry_run: bool
    residents: int = 0  # erased, or on a dry run to be erased
    follow_ups: int = 0  # theirs
    opt_outs_kept: int = 0  # of them, residents whose opt-out is kept as digests
    strays: int = 0  # SMS and callbacks of no one resident, blanked
    left: int = 0  # past their period but not erased in this run (a limit, or now in use)

    def summary(self) -> dict:
        return {**asdict(self), "cutoff": self.cutoff.isoformat()}


async def purge(
    sessions: async_sessionmaker[AsyncSession],
    *,
    now: datetime,
    months: int,
    actor: str,
    dry_run: bool = False,
    limit: int | None = None,
    batch: int = BATCH,
) -> PurgeResult:
    """Erase (at most `limit`) residents past the retention period of `months`."""
    result = PurgeResult(months, retention_cutoff(now, months), dry_run)
    async with sessions() as session:
        chosen = await erasure.purgeable_clients(session, result.cutoff)
    todo = chosen if limit is None else chosen[:limit]
    result.left = len(chosen) - len(todo)
    for start in range(0, len(todo), batch):
        await _purge_batch(sessions, todo[start : start + batch], result, now, actor)
    if dry_run:  # reads counts only, and changes nothing, not even the audit trail
        return result
    async with unit_of_work(sessions) as uow:
        result.strays = await erasure.erase_strays(uow.session, result.cutoff)
        record_audit(
            uow.session,
            now=now,
            actor=actor,
            action=AuditAction.RETENTION_PURGED,
            detail=result.summary(),
        )
        await uow.commit()
    return result


async def _purge_batch(
    sessions: async_sessionmaker[AsyncSession],
    client_ids: Sequence[int],
    result: PurgeResult,
    now: datetime,
    actor: str,
) -> None:
    async with unit_of_work(sessions) as uow:
        session = uow.session
        locked = await erasure.lock_erasable(session, client_ids, result.cutoff)
        result.left += len(client_ids) - len(locked)
        if not locked:
            return
        follow_ups = await erasure.count_follow_ups(session, locked)
        kept = await _keep_opt_outs(session, locked, now, dry_run=result.dry_run)
        result.residents += len(locked)
        result.follow_ups += follow_ups
        result.opt_outs_kept += kept
        if result.dry_run:
            return
        await erasure.erase_clients(session, locked, now)
        _audit_erased(session, now, actor, residents=len(locked), follow_ups=follow_ups)
        await uow.commit()


async def _keep_opt_outs(
    session: AsyncSession, client_ids: Sequence[int], now: datetime, *, dry_run: bool
) -> int:
    """Keep digests of every number and address of the opted-out ones among these clients;
    how many of them opted out."""
    stopped = sorted(await opted_out(session, client_ids))
    if stopped and not dry_run:
        key = await opt_out_hashes.pepper(session, now)
        values = await erasure.contact_values(session, stopped)
        await opt_out_hashes.keep_digests(session, opt_out_hashes.digests(key, values), now)
    return len(stopped)


def _audit_erased(session: AsyncSession, now: datetime, actor: str, **counts: int) -> None:
    record_audit(session, now=now, actor=actor, action=AuditAction.RESIDENTS_ERASED, detail=counts)


@dataclass(frozen=True, slots=True)
class ErasedResident:
    follow_ups: int
    closed_open_follow_up: bool
    opt_out_kept: bool


async def erase_client(
    sessions: async_sessionmaker[AsyncSession], *, client_ref: str, now: datetime, actor: str
) -> ErasedResident:
    """Erase one resident now, whatever the state of their follow-up. An open follow-up
    first closes as `unreachable`/`opted_out`: the resident withdrew, and the reach report
    counts them so rather than as open for ever."""
    async with unit_of_work(sessions) as uow:
        session = uow.session
        client_id = await client_id_of(session, client_ref.strip())
        if client_id is None or not await erasure.lock_erasable(session, [client_id], None):
            raise ErasureError(f"klantnummer {client_ref!r} bestaat niet")
        closed = await close_as_withdrawn(session, client_id, now, OutcomeSource.BACK_OFFICE)
        follow_ups = await erasure.count_follow_ups(session, [client_id])
        kept = await _keep_opt_outs(session, [client_id], now, dry_run=False)
        await erasure.erase_clients(session, [client_id], now)
        _audit_erased(session, now, actor, residents=1, follow_ups=follow_ups)
        await uow.commit()
    return ErasedResident(follow_ups, closed, bool(kept))
