"""Set-based reads and writes for one chunk of imported rows: a few statements per chunk,
never one round trip per row.

Inserts go through `insert_rows` (COPY on PostgreSQL), every row with the same keys: the
ORM's bulk path would split a chunk into one statement per pattern of empty fields."""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import EvidenceSource
from followup.rules.import_merge import (
    ClientChanges,
    StoredClient,
    StoredConversation,
    StoredPhone,
)
from followup.rules.import_rows import ClientRow
from followup.rules.phones import PhoneClassification
from followup.store.bulk import insert_rows
from followup.store.tables import Client, Conversation, PhoneNumber


async def load_clients(session: AsyncSession, refs: Sequence[str]) -> dict[str, StoredClient]:
    rows = await session.execute(
        sa.select(
            Client.id,
            Client.client_ref,
            Client.name,
            Client.wijk,
            Client.email,
            Client.email_status,
            Client.preferred_channel,
            Client.link_in_sms,
        ).where(Client.client_ref.in_(refs))
    )
    by_ref = {
        r.client_ref: StoredClient(
            r.id, r.name, r.wijk, r.email, r.email_status, r.preferred_channel, r.link_in_sms
        )
        for r in rows
    }
    by_id = {c.id: c for c in by_ref.values()}
    if not by_id:
        return by_ref
    phones = await session.execute(
        sa.select(
            PhoneNumber.id,
            PhoneNumber.client_id,
            PhoneNumber.label,
            PhoneNumber.raw,
            PhoneNumber.e164,
        ).where(PhoneNumber.client_id.in_(by_id), PhoneNumber.retired_at.is_(None))
    )
    for p in phones:
        by_id[p.client_id].phones[p.label] = StoredPhone(p.id, p.e164 or p.raw)
    conversations = await session.execute(
        sa.select(
            Conversation.id,
            Conversation.client_id,
            Conversation.conversation_date,
            Conversation.follow_up_after_months,
            Conversation.initiative,
        ).where(Conversation.client_id.in_(by_id))
    )
    for c in conversations:
        by_id[c.client_id].conversations[c.conversation_date] = StoredConversation(
            c.id, c.follow_up_after_months, c.initiative
        )
    return by_ref


_CLIENTS = Client.__table__


def phone_values(
    client_id: int,
    label: str,
    phone: PhoneClassification,
    now: datetime,
    source: EvidenceSource = EvidenceSource.IMPORT,
) -> dict:
    """A number's row as the file, or the resident through an agent (`source`), gave it."""
    return {
        "client_id": client_id,
        "label": label,
        "raw": phone.raw,
        "e164": phone.e164,
        "type": phone.type,
        "status": phone.status,
        "invalid_reason": phone.invalid_reason,
        "invalid_source": None if phone.is_valid else source,
        "sms_blocked": False,
        "source": source,
        "created_at": now,
    }


# One row of a chunk: what the file says, what is stored (None: a new client), what changes.
Change = tuple[ClientRow, StoredClient | None, ClientChanges]


async def apply_changes(
    session: AsyncSession, changes: Sequence[Change], now: datetime
) -> dict[str, int]:
    """Write one chunk; the ids of its clients by client_ref. The caller's transaction makes
    each row all-or-nothing."""
    client_ids = {row.client_ref: stored.id for row, stored, _ in changes if stored is not None}
    client_ids |= await _insert_clients(
        session, [(row, ch) for row, stored, ch in changes if stored is None], now
    )
    await _update_clients(session, changes, now)
    await _replace_phones(session, changes, client_ids, now)
    await _write_conversations(session, changes, client_ids, now)
    return client_ids


async def _insert_clients(
    session: AsyncSession, new: list[tuple[ClientRow, ClientChanges]], now: datetime
) -> dict[str, int]:
    """Insert the new clients; their ids by client_ref."""
    if not new:
        return {}
    await insert_rows(
        session,
        _CLIENTS,
        [
            {"client_ref": row.client_ref, **ch.client_fields, "created_at": now, "updated_at": now}
            for row, ch in new
        ],
    )
    # insert_rows gives no ids back (COPY cannot), so they are read by the unique client_ref.
    inserted = await session.execute(
        sa.select(Client.id, Client.client_ref).where(
            Client.client_ref.in_([row.client_ref for row, _ in new])
        )
    )
    return {r.client_ref: r.id for r in inserted}


async def _update_clients(session: AsyncSession, changes: Sequence[Change], now: datetime) -> None:
    await _bulk_update(
        session,
        Client,
        [
            {"id": stored.id, **ch.client_fields, "updated_at": now}
            for _, stored, ch in changes
            if stored is not None and ch.client_fields
        ],
    )


async def _replace_phones(
    session: AsyncSession, changes: Sequence[Change], client_ids: dict[str, int], now: datetime
) -> None:
    """Retire the numbers the file no longer gives, then add the new ones: a retired number
    keeps its row, so past attempts still point at the number actually dialled."""
    retired = [pid for _, _, ch in changes for pid in ch.retired_phone_ids]
    if retired:
        await session.execute(
            sa.update(PhoneNumber).where(PhoneNumber.id.in_(retired)).values(retired_at=now)
        )
    phones = [
        phone_values(client_ids[row.client_ref], label, phone, now)
        for row, _, ch in changes
        for label, phone in ch.new_phones
    ]
    await insert_rows(session, PhoneNumber.__table__, phones)


async def _write_conversations(
    session: AsyncSession, changes: Sequence[Change], client_ids: dict[str, int], now: datetime
) -> None:
    """A new conversation date adds a conversation; the same date with another term updates
    it."""
    conversations = [
        {
            "client_id": client_ids[row.client_ref],
            **ch.conversation_fields,
            "created_at": now,
            "updated_at": now,
        }
        for row, _, ch in changes
        if ch.conversation_fields and ch.conversation_id is None
    ]
    await insert_rows(session, Conversation.__table__, conversations)
    await _bulk_update(
        session,
        Conversation,
        [
            {"id": ch.conversation_id, **ch.conversation_fields, "updated_at": now}
            for _, _, ch in changes
            if ch.conversation_fields and ch.conversation_id is not None
        ],
    )


async def _bulk_update(session: AsyncSession, table: type, rows: list[dict]) -> None:
    if rows:
        await session.execute(sa.update(table), rows)
