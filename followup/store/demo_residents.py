"""The demo's residents as its history needs them: whose follow-up is open, and how each
could answer (an SMS from their own number, the link in an e-mail, or on the phone)."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from followup.rules.domain import FollowUpState
from followup.store.contact_profile import HAS_EMAIL, TAKES_SMS
from followup.store.tables import Client, FollowUp, PhoneNumber, Round


@dataclass(frozen=True, slots=True)
class DemoResident:
    follow_up_id: int
    client_id: int
    sms_number: str | None  # E.164 of a current number that takes SMS and is theirs alone
    has_email: bool


async def open_residents(
    session: AsyncSession,
    *,
    opened_at: datetime | None = None,
    round_open_until: datetime | None = None,
) -> list[DemoResident]:
    """Residents with an open follow-up (opened at `opened_at`; in a round that is open and
    still will be at `round_open_until`), in the order of their reference: the same order on
    every database, so a seeded choice is too."""
    # A reply from a number two residents share is for an agent to sort out, not the demo.
    other = aliased(PhoneNumber)
    shared = (
        sa.select(other.e164)
        .where(other.e164.is_not(None))  # NOT IN a list with NULL would hold for nobody
        .group_by(other.e164)
        .having(sa.func.count(sa.distinct(other.client_id)) > 1)
    )
    sms_number = (
        sa.select(sa.func.min(PhoneNumber.e164))
        .where(
            PhoneNumber.client_id == Client.id,
            PhoneNumber.retired_at.is_(None),
            *TAKES_SMS,
            PhoneNumber.e164.not_in(shared),
        )
        .scalar_subquery()
    )
    query = (
        sa.select(FollowUp.id, Client.id, sms_number, sa.func.coalesce(HAS_EMAIL, False))
        .join(Client, Client.id == FollowUp.client_id)
        .where(FollowUp.state == FollowUpState.OPEN)
        .order_by(Client.client_ref)
    )
    if opened_at is not None:
        query = query.where(FollowUp.opened_at == opened_at)
    if round_open_until is not None:
        query = query.join(
            Round,
            sa.and_(
                Round.follow_up_id == FollowUp.id,
                Round.number == FollowUp.round_number,
                Round.closed_at.is_(None),
                Round.closes_at > round_open_until,
            ),
        )
    return [DemoResident(*row) for row in await session.execute(query)]
