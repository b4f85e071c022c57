"""A new phone number or e-mail address a resident gave an agent, or confirmed themselves on
the response page (then no user): it takes the place of the
current one, and the old one stays in the history (a retired number keeps its row; the change
is a row of its own)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import ContactKind, ContactStatus, EvidenceSource, PhoneLabel
from followup.rules.phones import PhoneClassification
from followup.store.client_import import phone_values
from followup.store.tables import Client, ContactChange, PhoneNumber


async def replace_primary_phone(
    session: AsyncSession,
    client_id: int,
    phone: PhoneClassification,
    user_id: int | None,
    now: datetime,
) -> bool:
    """False when it is the number we have already."""
    current = (
        await session.execute(
            sa.select(PhoneNumber.id, PhoneNumber.e164, PhoneNumber.raw).where(
                PhoneNumber.client_id == client_id,
                PhoneNumber.label == PhoneLabel.PRIMARY,
                PhoneNumber.retired_at.is_(None),
            )
        )
    ).first()
    if current is not None and current.e164 == phone.e164:
        return False
    if current is not None:
        await session.execute(
            sa.update(PhoneNumber).where(PhoneNumber.id == current.id).values(retired_at=now)
        )
    await session.execute(
        sa.insert(PhoneNumber).values(
            phone_values(client_id, PhoneLabel.PRIMARY, phone, now, EvidenceSource.AGENT)
        )
    )
    old = (current.e164 or current.raw) if current is not None else None
    _record(session, client_id, ContactKind.PHONE, old, phone.identity, user_id, now)
    return True


async def replace_email(
    session: AsyncSession, client_id: int, email: str, user_id: int | None, now: datetime
) -> bool:
    """False when it is the address we have already."""
    old = await session.scalar(sa.select(Client.email).where(Client.id == client_id))
    if old == email:
        return False
    await session.execute(
        sa.update(Client)
        .where(Client.id == client_id)
        .values(
            email=email,
            email_status=ContactStatus.VALID,
            email_invalid_detail=None,
            updated_at=now,
        )
    )
    _record(session, client_id, ContactKind.EMAIL, old, email, user_id, now)
    return True


def _record(
    session: AsyncSession,
    client_id: int,
    kind: ContactKind,
    old: str | None,
    new: str,
    user_id: int | None,
    now: datetime,
) -> None:
    session.add(
        ContactChange(
            client_id=client_id,
            kind=kind,
            old_value=old,
            new_value=new,
            user_id=user_id,
            changed_at=now,
        )
    )
