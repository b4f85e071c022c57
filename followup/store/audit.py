"""Audit records: who saw or changed which client's data. Not log lines, on purpose."""

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import AuditAction
from followup.store.tables import AuditRecord


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
