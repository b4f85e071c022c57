"""Use case: everything held about one resident, for their right of access (AVG art. 15),
with an audit record of who exported whose data."""

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.domain import AuditAction
from followup.store.audit import record_audit
from followup.store.client_export import client_rows
from followup.store.clients import client_id_of
from followup.store.unit_of_work import unit_of_work


class ExportError(ValueError):
    """The resident cannot be exported; the message says why, in Dutch."""


async def export_client(
    sessions: async_sessionmaker[AsyncSession], *, client_ref: str, now: datetime, actor: str
) -> dict[str, Any]:
    """The resident's rows, table by table, as of `now`. Messages the service rendered from
    templates are stored by purpose, not as text; their templates are the same for everyone."""
    async with unit_of_work(sessions) as uow:
        session = uow.session
        client_id = await client_id_of(session, client_ref.strip())
        if client_id is None:
            raise ExportError(f"klantnummer {client_ref!r} bestaat niet")
        tables = await client_rows(session, client_id)
        record_audit(
            session, now=now, actor=actor, action=AuditAction.CLIENT_EXPORTED, client_id=client_id
        )
        await uow.commit()
    return {"client_ref": client_ref.strip(), "exported_at": now.isoformat(), "tables": tables}
