"""Use case: an admin reads the audit trail, filtered, a page at a time. Reading the trail of
one resident is itself recorded: who looked at whose history is what the trail is for."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.audit_filter import AuditFilter
from followup.rules.domain import AuditAction
from followup.store.audit import TrailLine, TrailQuery, record_audit, trail_page
from followup.store.clients import client_id_of
from followup.store.unit_of_work import unit_of_work
from followup.store.users import SignedIn

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class TrailPage:
    lines: list[TrailLine]
    older: int | None  # the cursor of the next (older) page, None on the last
    unknown_client: bool = False  # the client number asked for belongs to nobody


async def read_trail(
    sessions: async_sessionmaker[AsyncSession],
    wanted: AuditFilter,
    before_seq: int | None,
    zone: ZoneInfo,
    viewer: SignedIn,
    now: datetime,
) -> TrailPage:
    async with unit_of_work(sessions) as uow:
        client_id = None
        if wanted.client_ref is not None:
            client_id = await client_id_of(uow.session, wanted.client_ref)
            if client_id is None:
                return TrailPage([], None, unknown_client=True)
        query = TrailQuery(
            since=wanted.since(zone),
            until=wanted.until(zone),
            action=wanted.action.value if wanted.action else None,
            actor=wanted.actor,
            client_id=client_id,
            before_seq=before_seq,
        )
        lines = await trail_page(uow.session, query, PAGE_SIZE + 1)
        if client_id is not None:
            record_audit(
                uow.session,
                now=now,
                actor=viewer.email,
                action=AuditAction.AUDIT_VIEWED,
                user_id=viewer.id,
                client_id=client_id,
                # The resident is the record's client_id: no client number in the detail,
                # which no erasure can reach once it is chained.
                detail={
                    "filter": {k: v for k, v in wanted.as_query().items() if k != "klantnummer"},
                    "before": before_seq,
                },
            )
            await uow.commit()
    shown = lines[:PAGE_SIZE]
    return TrailPage(shown, shown[-1].seq if len(lines) > PAGE_SIZE else None)
