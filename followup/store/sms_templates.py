"""The team's short messages that agents send from a resident's card."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.store.tables import SmsTemplate


@dataclass(frozen=True, slots=True)
class Template:
    id: int
    title: str
    body: str


async def templates(session: AsyncSession) -> list[Template]:
    rows = await session.execute(
        sa.select(SmsTemplate.id, SmsTemplate.title, SmsTemplate.body).order_by(
            SmsTemplate.position, SmsTemplate.id
        )
    )
    return [Template(*row) for row in rows]


async def replace_templates(
    session: AsyncSession, wanted: list[tuple[str, str]], user_id: int, now: datetime
) -> None:
    """The list as the team wrote it, in its order."""
    await session.execute(sa.delete(SmsTemplate))
    session.add_all(
        SmsTemplate(
            title=title, body=body, position=position, updated_at=now, updated_by_id=user_id
        )
        for position, (title, body) in enumerate(wanted)
    )
