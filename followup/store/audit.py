"""Audit records: who saw or changed which client's data. Not log lines, on purpose."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import AuditAction
from followup.store.staff_tables import AuditRecord


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
    session.add(
        AuditRecord(
            at=now,
            actor=actor,
            action=action,
            user_id=user_id,
            client_id=client_id,
            detail=detail or {},
        )
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
