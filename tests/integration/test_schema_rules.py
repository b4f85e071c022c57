"""Unique keys and checks that hold even when two processes race."""

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from followup.rules.domain import (
    CarrierResource,
    ContactStatus,
    FollowUpState,
    Initiative,
    OptOutSource,
    OutcomeCategory,
    OutcomeSource,
    PhoneLabel,
    PhoneType,
    UnreachableReason,
)
from followup.store.tables import (
    CarrierEvent,
    Client,
    Conversation,
    FollowUp,
    OptOut,
    Outcome,
    PhoneNumber,
)
from tests.support.rows import NOW, add_client


async def _client_with_conversation(sessions) -> tuple[int, int]:
    async with sessions() as session, session.begin():
        return await add_client(session)


async def _insert(sessions, *rows) -> None:
    async with sessions() as session, session.begin():
        session.add_all(rows)


def _follow_up(client_id, conversation_id, state=FollowUpState.OPEN) -> FollowUp:
    return FollowUp(
        client_id=client_id, conversation_id=conversation_id, state=state, opened_at=NOW
    )


async def _another_conversation(sessions, client_id: int, day: date) -> int:
    conversation = Conversation(
        client_id=client_id,
        conversation_date=day,
        follow_up_after_months=3,
        initiative=Initiative.MUNICIPALITY,
        due_on=day,
        created_at=NOW,
        updated_at=NOW,
    )
    await _insert(sessions, conversation)
    return conversation.id


async def test_one_follow_up_per_conversation_and_one_open_per_client(sessions):
    client_id, first = await _client_with_conversation(sessions)
    second = await _another_conversation(sessions, client_id, date(2026, 2, 1))
    third = await _another_conversation(sessions, client_id, date(2026, 3, 1))
    await _insert(sessions, _follow_up(client_id, first, FollowUpState.CLOSED))
    with pytest.raises(IntegrityError):  # a conversation's follow-up never opens again
        await _insert(sessions, _follow_up(client_id, first))
    await _insert(sessions, _follow_up(client_id, second))
    with pytest.raises(IntegrityError):  # never two open follow-ups for one client
        await _insert(sessions, _follow_up(client_id, third))


async def test_one_event_per_carrier_sid_and_status(sessions):
    def event(status: str) -> CarrierEvent:
        return CarrierEvent(
            resource=CarrierResource.MESSAGE, sid="SM1", status=status, payload={}, received_at=NOW
        )

    await _insert(sessions, event("sent"), event("delivered"))
    with pytest.raises(IntegrityError):
        await _insert(sessions, event("delivered"))


async def test_errors_never_carry_the_statement_parameters(sessions):
    """What an error says can reach a log; the values bound to it (numbers, message bodies)
    must not."""
    client_id, _ = await _client_with_conversation(sessions)

    def phone() -> PhoneNumber:
        return PhoneNumber(
            client_id=client_id,
            label=PhoneLabel.PRIMARY,
            raw="0612345678",
            e164="+31612345678",
            type=PhoneType.MOBILE,
            status=ContactStatus.VALID,
            source="import",
            created_at=NOW,
        )

    await _insert(sessions, phone())
    with pytest.raises(IntegrityError) as refused:  # a second current primary number
        await _insert(sessions, phone())
    assert "hidden due to hide_parameters" in str(refused.value)
    assert "612345678" not in str(refused.value)


async def test_one_outcome_per_follow_up_and_reason_only_for_unreachable(sessions):
    client_id, conversation_id = await _client_with_conversation(sessions)
    follow_up = _follow_up(client_id, conversation_id)
    await _insert(sessions, follow_up)

    def outcome(category, reason=None) -> Outcome:
        return Outcome(
            follow_up_id=follow_up.id,
            category=category,
            reason=reason,
            source=OutcomeSource.AGENT,
            recorded_at=NOW,
        )

    with pytest.raises(IntegrityError):
        await _insert(sessions, outcome(OutcomeCategory.UNREACHABLE))
    with pytest.raises(IntegrityError):
        await _insert(sessions, outcome(OutcomeCategory.ACTIVE, UnreachableReason.NO_ANSWER))
    await _insert(sessions, outcome(OutcomeCategory.UNREACHABLE, UnreachableReason.NO_ANSWER))
    with pytest.raises(IntegrityError):
        await _insert(sessions, outcome(OutcomeCategory.ACTIVE))


async def test_one_current_number_per_label_retired_ones_kept(sessions):
    client_id, _ = await _client_with_conversation(sessions)

    def phone(retired: bool) -> PhoneNumber:
        return PhoneNumber(
            client_id=client_id,
            label=PhoneLabel.PRIMARY,
            raw="0612345678",
            e164="+31612345678",
            type=PhoneType.MOBILE,
            status=ContactStatus.VALID,
            source="import",
            created_at=NOW,
            retired_at=NOW if retired else None,
        )

    await _insert(sessions, phone(retired=True), phone(retired=True), phone(retired=False))
    with pytest.raises(IntegrityError):
        await _insert(sessions, phone(retired=False))


async def test_one_active_opt_out_per_client(sessions):
    client_id, _ = await _client_with_conversation(sessions)

    def opt_out(lifted: bool) -> OptOut:
        return OptOut(
            client_id=client_id,
            source=OptOutSource.SMS,
            created_at=NOW,
            lifted_at=NOW if lifted else None,
        )

    await _insert(sessions, opt_out(lifted=True), opt_out(lifted=False))
    with pytest.raises(IntegrityError):
        await _insert(sessions, opt_out(lifted=False))


async def test_unknown_enum_value_is_refused_by_the_database(sessions):
    client_id, _ = await _client_with_conversation(sessions)
    with pytest.raises(IntegrityError):
        async with sessions() as session, session.begin():
            await session.execute(
                sa.text("UPDATE clients SET preferred_channel = 'fax' WHERE id = :id"),
                {"id": client_id},
            )


async def test_datetimes_come_back_aware_in_utc(sessions):
    await _client_with_conversation(sessions)
    async with sessions() as session:
        created = await session.scalar(sa.select(Client.created_at))
    assert created == NOW and created.tzinfo is not None
