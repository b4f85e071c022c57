"""Use case: the back office records an outcome that reached the team another way (a letter,
a visit, a call to the front desk), through the same outcome rules as every other answer."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.domain import (
    AuditAction,
    OptOutSource,
    OutcomeCategory,
    OutcomeSource,
    UnreachableReason,
)
from followup.services.outcomes import opt_out, record_outcome
from followup.store.audit import record_audit
from followup.store.clients import client_id_of
from followup.store.follow_ups import lock_open_follow_up_of_client
from followup.store.unit_of_work import unit_of_work


class OutcomeError(ValueError):
    """The outcome cannot be recorded; the message says why, in Dutch."""


async def record_back_office_outcome(
    sessions: async_sessionmaker[AsyncSession],
    *,
    client_ref: str,
    category: OutcomeCategory,
    reason: UnreachableReason | None,
    note: str | None,
    now: datetime,
    actor: str,
) -> int:
    """The id of the follow-up that closed with this outcome."""
    if (category is OutcomeCategory.UNREACHABLE) != (reason is not None):
        raise OutcomeError(
            "geef een reden (--reason) bij 'unreachable', en alleen daarbij"
            if reason is None
            else "een reden (--reason) hoort alleen bij 'unreachable'"
        )
    async with unit_of_work(sessions) as uow:
        session = uow.session
        client_id = await client_id_of(session, client_ref.strip())
        if client_id is None:
            raise OutcomeError(f"klantnummer {client_ref!r} bestaat niet")
        follow_up = await lock_open_follow_up_of_client(session, client_id)
        if follow_up is None:
            raise OutcomeError(
                f"klant {client_ref!r} heeft geen lopende opvolging: er is al een uitkomst, "
                "of de termijn is nog niet om"
            )
        if reason is UnreachableReason.OPTED_OUT:
            # Not contacted again, like any other opt-out; the follow-up closes with it.
            await opt_out(session, client_id, now, source=OptOutSource.BACK_OFFICE)
        else:
            await record_outcome(
                session,
                follow_up.id,
                category,
                now,
                source=OutcomeSource.BACK_OFFICE,
                reason=reason,
                note=note,
            )
        record_audit(
            session,
            now=now,
            actor=actor,
            action=AuditAction.OUTCOME_RECORDED,
            client_id=client_id,
            detail={"category": category.value, "reason": reason.value if reason else None},
        )
        await uow.commit()
        return follow_up.id
