"""The start page's figures, as aggregates: counts only, no personal data."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import ContactStatus
from followup.store.tables import Client, Conversation, PhoneNumber


async def clients_per_wijk(session: AsyncSession, today: date) -> list[tuple[str, int, int]]:
    """(wijk, clients, clients due by `today`) for each wijk, in order."""
    due = sa.func.count(sa.distinct(Client.id)).filter(Conversation.due_on <= today)
    rows = await session.execute(
        sa.select(Client.wijk, sa.func.count(sa.distinct(Client.id)), due)
        .join(Conversation, Conversation.client_id == Client.id)
        .where(Client.erased_at.is_(None))
        .group_by(Client.wijk)
        .order_by(Client.wijk)
    )
    return [tuple(row) for row in rows]


async def invalid_current_numbers(session: AsyncSession) -> int:
    return await session.scalar(
        sa.select(sa.func.count())
        .select_from(PhoneNumber)
        .where(PhoneNumber.status == ContactStatus.INVALID, PhoneNumber.retired_at.is_(None))
    )
