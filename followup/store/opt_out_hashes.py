"""Opt-outs that outlive erasure, as keyed digests of numbers and addresses, and the clients
whose current number or address matches one of them.

The key (the pepper) is generated once per installation and kept in `app_settings`, apart
from the secret key: that one may be rotated, and a rotated pepper would make every kept
digest useless. It is never rotated.
"""

import secrets
from collections.abc import Collection, Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.erasure import contact_digest
from followup.store.app_settings import setting_once
from followup.store.erasure import ContactValues
from followup.store.rows import insert_ignoring_conflicts
from followup.store.tables import Client, OptOutHash, PhoneNumber

PEPPER = "opt_out_pepper"


async def pepper(session: AsyncSession, now: datetime) -> str:
    return await setting_once(session, PEPPER, secrets.token_urlsafe(32), now)


def digests(key: str, values: ContactValues) -> set[str]:
    return {contact_digest(key, "phone", phone) for phone in values.phones} | {
        contact_digest(key, "email", email) for email in values.emails
    }


async def keep_digests(session: AsyncSession, kept: Iterable[str], now: datetime) -> int:
    """Store these digests (those stored already stay as they are); how many were given."""
    rows = [{"digest": digest, "created_at": now} for digest in sorted(kept)]
    if rows:
        await session.execute(insert_ignoring_conflicts(session, OptOutHash.__table__), rows)
    return len(rows)


async def clients_matching(
    session: AsyncSession, client_ids: Collection[int], now: datetime
) -> set[int]:
    """Those of these clients whose current number or address has a kept digest: free
    when no digest is kept at all, as in most installations most of the time."""
    if not client_ids or not await session.scalar(sa.select(sa.exists(sa.select(OptOutHash)))):
        return set()
    key = await pepper(session, now)
    by_digest: dict[str, set[int]] = {}
    phones = await session.execute(
        sa.select(PhoneNumber.client_id, PhoneNumber.e164).where(
            PhoneNumber.client_id.in_(client_ids),
            PhoneNumber.retired_at.is_(None),
            PhoneNumber.e164.is_not(None),
        )
    )
    for client_id, e164 in phones:
        by_digest.setdefault(contact_digest(key, "phone", e164), set()).add(client_id)
    emails = await session.execute(
        sa.select(Client.id, Client.email).where(
            Client.id.in_(client_ids), Client.email.is_not(None)
        )
    )
    for client_id, email in emails:
        by_digest.setdefault(contact_digest(key, "email", email), set()).add(client_id)
    if not by_digest:
        return set()
    kept = await session.scalars(
        sa.select(OptOutHash.digest).where(OptOutHash.digest.in_(by_digest))
    )
    return {client_id for digest in kept for client_id in by_digest[digest]}
