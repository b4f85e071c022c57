"""Everything stored about one client, table by table, as plain rows: the answer to a
resident's request to see what is held about them (AVG art. 15)."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.store.staff_tables import AuditRecord
from followup.store.tables import (
    Attempt,
    CareSignal,
    CarrierEvent,
    Client,
    ContactChange,
    Conversation,
    FollowUp,
    NumberCheck,
    OptOut,
    Outcome,
    PhoneNumber,
    Round,
    SmsMessage,
    WrapUp,
)

Rows = list[dict[str, Any]]


async def _rows(session: AsyncSession, model: Any, where: sa.ColumnElement[bool]) -> Rows:
    table = model.__table__
    result = await session.execute(sa.select(table).where(where).order_by(*table.primary_key))
    return [dict(row) for row in result.mappings()]


async def client_rows(session: AsyncSession, client_id: int) -> dict[str, Rows]:
    """Each table's rows about the client, under the table's name."""
    follow_ups = sa.select(FollowUp.id).where(FollowUp.client_id == client_id)
    attempts = sa.select(Attempt.id).where(Attempt.follow_up_id.in_(follow_ups))
    wheres: dict[str, tuple[Any, sa.ColumnElement[bool]]] = {
        "clients": (Client, Client.id == client_id),
        "phone_numbers": (PhoneNumber, PhoneNumber.client_id == client_id),
        "conversations": (Conversation, Conversation.client_id == client_id),
        "follow_ups": (FollowUp, FollowUp.client_id == client_id),
        "rounds": (Round, Round.follow_up_id.in_(follow_ups)),
        "attempts": (Attempt, Attempt.follow_up_id.in_(follow_ups)),
        "carrier_events": (CarrierEvent, CarrierEvent.attempt_id.in_(attempts)),
        "sms_messages": (SmsMessage, SmsMessage.client_id == client_id),
        "outcomes": (Outcome, Outcome.follow_up_id.in_(follow_ups)),
        "wrap_ups": (WrapUp, WrapUp.follow_up_id.in_(follow_ups)),
        "contact_changes": (ContactChange, ContactChange.client_id == client_id),
        "number_checks": (NumberCheck, NumberCheck.client_id == client_id),
        "opt_outs": (OptOut, OptOut.client_id == client_id),
        "care_signals": (CareSignal, CareSignal.client_id == client_id),
        "audit_records": (AuditRecord, AuditRecord.client_id == client_id),
    }
    return {name: await _rows(session, model, where) for name, (model, where) in wheres.items()}
