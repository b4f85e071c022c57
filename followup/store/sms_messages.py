"""SMS messages in both directions: residents' replies as they came, matched to the residents
whose current number sent them, and the ones an agent must read."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import MessageDirection
from followup.store.rows import fetch_one, insert_ignoring_conflicts, update_row
from followup.store.tables import PhoneNumber, SmsMessage


@dataclass(frozen=True, slots=True)
class Holder:
    """A resident whose current number this is."""

    client_id: int
    number_id: int


async def holders_of(session: AsyncSession, e164: str) -> list[Holder]:
    rows = await session.execute(
        sa.select(PhoneNumber.client_id, PhoneNumber.id).where(
            PhoneNumber.e164 == e164, PhoneNumber.retired_at.is_(None)
        )
    )
    return [Holder(*row) for row in rows]


async def record_inbound(
    session: AsyncSession,
    *,
    sid: str,
    sender: Holder | None,
    from_number: str,
    to_number: str,
    body: str,
    interpretation: str,
    now: datetime,
) -> int | None:
    """The new message's id; None when the carrier sent this one before (same SID)."""
    return await session.scalar(
        insert_ignoring_conflicts(session, SmsMessage.__table__)
        .values(
            {
                "direction": MessageDirection.INBOUND.value,
                "client_id": sender.client_id if sender else None,
                "phone_number_id": sender.number_id if sender else None,
                "carrier_sid": sid,
                "from_number": from_number,
                "to_number": to_number,
                "body": body,
                "interpretation": interpretation,
                "created_at": now,
            }
        )
        .returning(SmsMessage.id)
    )


async def mark_for_review(session: AsyncSession, message_id: int) -> None:
    await update_row(session, SmsMessage, message_id, needs_review=True)


async def mark_reviewed(
    session: AsyncSession, message_id: int, now: datetime, user_id: int
) -> None:
    await update_row(session, SmsMessage, message_id, reviewed_at=now, reviewed_by_id=user_id)


@dataclass(frozen=True, slots=True)
class ReplyToReview:
    id: int
    client_id: int | None  # None: a number several residents share


async def lock_reply_to_review(session: AsyncSession, message_id: int) -> ReplyToReview | None:
    """The reply, if it still waits for an agent's decision."""
    waiting = (
        sa.select(SmsMessage.id, SmsMessage.client_id)
        .where(
            SmsMessage.id == message_id,
            SmsMessage.needs_review.is_(True),
            SmsMessage.reviewed_at.is_(None),
        )
        .with_for_update()
    )
    return await fetch_one(session, waiting, ReplyToReview)
