"""Proof that a number or e-mail address is wrong, kept with it: it is never used again, and
a coordinator can see why."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.attempt_failures import Flag, FlagKind
from followup.rules.domain import ContactStatus
from followup.store.rows import update_row
from followup.store.tables import Client, PhoneNumber


async def flag_email(session: AsyncSession, client_id: int, flag: Flag) -> None:
    await update_row(
        session,
        Client,
        client_id,
        email_status=ContactStatus.INVALID,
        email_invalid_detail=flag.detail,
    )


async def flag_number(session: AsyncSession, number_id: int, flag: Flag, now: datetime) -> None:
    if flag.kind is FlagKind.NO_SMS:
        change = {"sms_blocked": True}
    else:
        change = {
            "status": ContactStatus.INVALID,
            "invalid_reason": flag.reason,
            "invalid_source": flag.source,
            "invalid_detail": flag.detail,
        }
    await update_row(session, PhoneNumber, number_id, status_changed_at=now, **change)
