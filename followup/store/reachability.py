"""What clients can be reached by right now, loaded for a batch of clients at once: their
current numbers that are not known to be wrong, a valid e-mail address, opt-outs and care
signals."""

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import ContactStatus, FollowUpState, PhoneLabel
from followup.rules.phones import can_be_called, can_take_sms
from followup.rules.targeting import Number, Reach
from followup.store.care_signals import CARE_PENDING
from followup.store.contact_profile import OPTED_OUT
from followup.store.tables import Client, FollowUp, OptOut, PhoneNumber


async def load_reach(session: AsyncSession, client_ids: Collection[int]) -> dict[int, Reach]:
    if not client_ids:
        return {}
    numbers: dict[int, list[Number]] = {client_id: [] for client_id in client_ids}
    rows = await session.execute(
        sa.select(
            PhoneNumber.client_id,
            PhoneNumber.id,
            PhoneNumber.e164,
            PhoneNumber.type,
            PhoneNumber.sms_blocked,
        )
        .where(
            PhoneNumber.client_id.in_(client_ids),
            PhoneNumber.retired_at.is_(None),
            PhoneNumber.status == ContactStatus.VALID,
        )
        # The primary number first: it is the one the resident gave first.
        .order_by(PhoneNumber.client_id, PhoneNumber.label != PhoneLabel.PRIMARY, PhoneNumber.id)
    )
    for client_id, number_id, e164, type_, sms_blocked in rows:
        numbers[client_id].append(
            Number(
                id=number_id,
                e164=e164,
                can_sms=can_take_sms(ContactStatus.VALID, type_, sms_blocked=sms_blocked),
                can_call=can_be_called(ContactStatus.VALID, type_),
            )
        )
    clients = await session.execute(
        sa.select(
            Client.id,
            Client.email,
            Client.email_status,
            Client.preferred_channel,
            OPTED_OUT,
            CARE_PENDING,
        ).where(Client.id.in_(client_ids))
    )
    return {
        client_id: Reach(
            numbers=tuple(numbers[client_id]),
            email=email if status is ContactStatus.VALID else None,
            preferred=preferred,
            opted_out=bool(stopped),
            care=bool(care),
        )
        for client_id, email, status, preferred, stopped, care in clients
    }


async def may_still_call(
    session: AsyncSession, follow_up_id: int, number_id: int | None
) -> bool | None:
    """Whether the follow-up is still open, the number not proven wrong since, and the
    resident has not opted out; None when the follow-up or the number is not there."""
    if number_id is None:
        return None
    callable_now = sa.and_(
        FollowUp.state == FollowUpState.OPEN,
        PhoneNumber.status == ContactStatus.VALID,
        ~sa.exists().where(OptOut.client_id == FollowUp.client_id, OptOut.lifted_at.is_(None)),
    )
    return await session.scalar(
        sa.select(callable_now)
        .select_from(FollowUp)
        .join(PhoneNumber, PhoneNumber.id == number_id)
        .where(FollowUp.id == follow_up_id)
    )
