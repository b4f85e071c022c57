"""Erasing residents' personal data in place: every column that holds a name, number,
address, message body or note is blanked, and the rows stay, so the facts the reach report and
the dashboard count (on `follow_ups`, `outcomes`, `call_answer_counts`) are not touched.

UPDATEs, but for the care signals, whose rows are deleted (nothing points at them): a DELETE of
the others would make PostgreSQL check each foreign key that points at the row, some of them
through columns without an index. docs/privacy.md lists what is kept.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.erasure import ERASED_REF_PREFIX
from followup.store.tables import (
    Attempt,
    CareSignal,
    CarrierEvent,
    Client,
    ContactChange,
    Conversation,
    FollowUp,
    NumberCheck,
    Outcome,
    PhoneNumber,
    SmsMessage,
    WrapUp,
)


def _follow_ups_of(client_ids: Sequence[int]) -> sa.Select:
    # Through conversations: indexed by client, where follow_ups is not.
    return (
        sa.select(FollowUp.id)
        .join(Conversation, Conversation.id == FollowUp.conversation_id)
        .where(Conversation.client_id.in_(client_ids))
    )


def _still_in_use(cutoff: datetime) -> sa.ColumnElement[bool]:
    """A client has a follow-up open or closed since `cutoff`, or a conversation waiting to be
    followed up."""
    recent = (
        sa.select(FollowUp.id)
        .join(Conversation, Conversation.id == FollowUp.conversation_id)
        .where(
            Conversation.client_id == Client.id,
            sa.or_(FollowUp.closed_at.is_(None), FollowUp.closed_at >= cutoff),
        )
    )
    waiting = sa.select(Conversation.id).where(
        Conversation.client_id == Client.id, sa.not_(Conversation.followed_up)
    )
    return sa.or_(sa.exists(recent), sa.exists(waiting))


async def purgeable_clients(session: AsyncSession, cutoff: datetime) -> list[int]:
    """Clients not erased yet whose follow-ups all closed before `cutoff`, in id order: one
    pass over follow_ups, grouped by client."""
    closed = (
        sa.select(FollowUp.client_id)
        .group_by(FollowUp.client_id)
        .having(
            sa.func.count() == sa.func.count(FollowUp.closed_at),
            sa.func.max(FollowUp.closed_at) < cutoff,
        )
        .subquery()
    )
    waiting = sa.select(Conversation.id).where(
        Conversation.client_id == Client.id, sa.not_(Conversation.followed_up)
    )
    rows = await session.scalars(
        sa.select(Client.id)
        .join(closed, closed.c.client_id == Client.id)
        .where(Client.erased_at.is_(None), ~sa.exists(waiting))
        .order_by(Client.id)
    )
    return list(rows)


async def count_follow_ups(session: AsyncSession, client_ids: Sequence[int]) -> int:
    counted = _follow_ups_of(client_ids).subquery()
    return await session.scalar(sa.select(sa.func.count()).select_from(counted))


async def lock_erasable(
    session: AsyncSession, client_ids: Sequence[int], cutoff: datetime | None
) -> list[int]:
    """Those of these clients that may be erased now, locked until the transaction ends: not
    erased yet and, for a purge (`cutoff`), still past their retention period, as a
    concurrent import or planning pass may have changed that since they were chosen."""
    query = sa.select(Client.id).where(Client.id.in_(client_ids), Client.erased_at.is_(None))
    if cutoff is not None:
        query = query.where(~_still_in_use(cutoff))
    return list(await session.scalars(query.order_by(Client.id).with_for_update()))


@dataclass(frozen=True, slots=True)
class ContactValues:
    """Every number and address some clients ever had, for the digests of their opt-outs."""

    phones: list[str]
    emails: list[str]


async def contact_values(session: AsyncSession, client_ids: Sequence[int]) -> ContactValues:
    phones = await session.scalars(
        sa.select(PhoneNumber.e164).where(
            PhoneNumber.client_id.in_(client_ids), PhoneNumber.e164.is_not(None)
        )
    )
    emails = await session.scalars(
        sa.select(Client.email).where(Client.id.in_(client_ids), Client.email.is_not(None))
    )
    changed = await session.execute(
        sa.select(ContactChange.old_value, ContactChange.new_value).where(
            ContactChange.client_id.in_(client_ids), ContactChange.kind == "email"
        )
    )
    given = [value for pair in changed for value in pair if value]
    return ContactValues(list(phones), [*emails, *given])


async def erase_clients(session: AsyncSession, client_ids: Sequence[int], now: datetime) -> None:
    """Blank the personal data of these (locked) clients, everywhere it is kept. Their
    follow-ups and attempts are read first, so each UPDATE finds its rows by an index on a
    list of ids; only rows that still hold something are written."""
    follow_ups = list(await session.scalars(_follow_ups_of(client_ids)))
    attempts = list(
        await session.scalars(sa.select(Attempt.id).where(Attempt.follow_up_id.in_(follow_ups)))
    )
    statements = (
        sa.update(Attempt)
        .where(
            Attempt.id.in_(attempts),
            sa.or_(
                Attempt.to_address.is_not(None),
                Attempt.message.is_not(None),
                Attempt.error_message.is_not(None),
            ),
        )
        .values(to_address=None, message=None, error_message=None),
        # Status callbacks carry the resident's number in their payload.
        sa.update(CarrierEvent).where(CarrierEvent.attempt_id.in_(attempts)).values(payload={}),
        # Both ways: the texts we sent a client carry its id too.
        sa.update(SmsMessage)
        .where(SmsMessage.client_id.in_(client_ids))
        .values(body="", from_number="", to_number=""),
        sa.update(Outcome)
        .where(Outcome.follow_up_id.in_(follow_ups), Outcome.note.is_not(None))
        .values(note=None),
        sa.update(WrapUp)
        .where(WrapUp.follow_up_id.in_(follow_ups), WrapUp.note.is_not(None))
        .values(note=None),
        sa.update(ContactChange)
        .where(ContactChange.client_id.in_(client_ids))
        .values(old_value=None, new_value=""),
        # A number given on the response page and still waiting for its code.
        sa.update(NumberCheck)
        .where(
            NumberCheck.client_id.in_(client_ids),
            sa.or_(NumberCheck.e164.is_not(None), NumberCheck.code_mac.is_not(None)),
        )
        .values(e164=None, code_mac=None),
        # That a resident needed care says something of their health: gone, not blanked.
        sa.delete(CareSignal).where(CareSignal.client_id.in_(client_ids)),
        sa.update(PhoneNumber)
        .where(PhoneNumber.client_id.in_(client_ids))
        .values(raw="", e164=None, invalid_detail=None),
        sa.update(Client)
        .where(Client.id.in_(client_ids))
        .values(
            name="",
            email=None,
            email_invalid_detail=None,
            preferred_channel=None,
            call_part=None,
            # Unique, as the column must be, and meaningless outside this database.
            client_ref=ERASED_REF_PREFIX + sa.cast(Client.id, sa.String),
            erased_at=now,
            updated_at=now,
        ),
    )
    for statement in statements:
        await session.execute(statement.execution_options(synchronize_session=False))


async def erase_strays(session: AsyncSession, cutoff: datetime) -> int:
    """SMS from numbers that belong to no one client, and status callbacks that match no
    attempt, received before `cutoff`: blanked like a resident's. How many were blanked."""
    messages = await session.execute(
        sa.update(SmsMessage)
        .where(
            SmsMessage.client_id.is_(None), SmsMessage.created_at < cutoff, SmsMessage.body != ""
        )
        .values(body="", from_number="", to_number="")
        .execution_options(synchronize_session=False)
    )
    events = await session.execute(
        sa.update(CarrierEvent)
        .where(
            CarrierEvent.attempt_id.is_(None),
            CarrierEvent.received_at < cutoff,
            sa.cast(CarrierEvent.payload, sa.Text) != "{}",
        )
        .values(payload={})
        .execution_options(synchronize_session=False)
    )
    return messages.rowcount + events.rowcount
