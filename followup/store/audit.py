"""Audit records: who saw or changed which client's data. Not log lines, on purpose. A record
joins the hash chain when its transaction commits (`audit_chain.py`)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import AuditAction
from followup.store.audit_chain import add_pending
from followup.store.staff_tables import AuditRecord
from followup.store.tables import Client


def record_audit(
    session: AsyncSession,
    *,
    now: datetime,
    actor: str,
    action: AuditAction,
    user_id: int | None = None,
    client_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    add_pending(
        session,
        AuditRecord(
            at=now,
            actor=actor,
            action=str(action),
            user_id=user_id,
            client_id=client_id,
            detail=detail or {},
        ),
    )


@dataclass(frozen=True, slots=True)
class AuditLine:
    at: datetime
    actor: str
    action: str
    client_id: int | None


async def latest_records(session: AsyncSession, limit: int) -> list[AuditLine]:
    rows = await session.execute(
        sa.select(AuditRecord.at, AuditRecord.actor, AuditRecord.action, AuditRecord.client_id)
        .order_by(AuditRecord.at.desc(), AuditRecord.id.desc())
        .limit(limit)
    )
    return [AuditLine(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class TrailLine:
    seq: int
    at: datetime
    actor: str
    action: str
    client_ref: str | None


@dataclass(frozen=True, slots=True)
class TrailQuery:
    since: datetime | None = None
    until: datetime | None = None  # not included
    action: str | None = None
    actor: str | None = None
    client_id: int | None = None
    before_seq: int | None = None  # the keyset: only records older than this one


async def trail_page(session: AsyncSession, query: TrailQuery, limit: int) -> list[TrailLine]:
    """Newest first, along the unique index of `seq`, with the resident's client number."""
    wanted = (
        (query.since, lambda v: AuditRecord.at >= v),
        (query.until, lambda v: AuditRecord.at < v),
        (query.action, lambda v: AuditRecord.action == v),
        (query.actor, lambda v: AuditRecord.actor == v),
        (query.client_id, lambda v: AuditRecord.client_id == v),
        (query.before_seq, lambda v: AuditRecord.seq < v),
    )
    conditions = [condition(value) for value, condition in wanted if value is not None]
    rows = await session.execute(
        sa.select(
            AuditRecord.seq,
            AuditRecord.at,
            AuditRecord.actor,
            AuditRecord.action,
            Client.client_ref,
        )
        .outerjoin(Client, Client.id == AuditRecord.client_id)
        .where(*conditions)
        .order_by(AuditRecord.seq.desc())
        .limit(limit)
    )
    return [TrailLine(*row) for row in rows]
