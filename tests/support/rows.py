"""Rows made directly with the ORM, for tests that need a state the services reach later."""

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from followup.rules.domain import (
    AttemptPurpose,
    AttemptState,
    Channel,
    ContactStatus,
    EvidenceSource,
    FollowUpState,
    Initiative,
    OutcomeSource,
    PhoneLabel,
    PhoneType,
)
from followup.rules.due import due_date
from followup.store.tables import Attempt, Client, Conversation, FollowUp, Outcome, PhoneNumber

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


async def add_client(
    session, ref: str = "1", wijk: str = "Selwerd", conversation_date: date = date(2026, 1, 1)
) -> tuple[int, int]:
    """A client with one conversation, due three months later: (client id, conversation id)."""
    client = Client(client_ref=ref, name="Inwoner", wijk=wijk, created_at=NOW, updated_at=NOW)
    session.add(client)
    await session.flush()
    conversation = Conversation(
        client_id=client.id,
        conversation_date=conversation_date,
        follow_up_after_months=3,
        initiative=Initiative.MUNICIPALITY,
        due_on=due_date(conversation_date, 3, Initiative.MUNICIPALITY),
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(conversation)
    await session.flush()
    return client.id, conversation.id


async def add_follow_up(
    session,
    client_id: int,
    conversation_id: int,
    *,
    round_number: int,
    opened_at: datetime,
    outcome: tuple | None = None,
    source: OutcomeSource = OutcomeSource.BACK_OFFICE,
    recorded_by_id: int | None = None,
    channels: Sequence[Channel] = (),
    state: FollowUpState | None = None,
) -> FollowUp:
    """A follow-up with `outcome` (category, reason) when given, closed unless `state` says
    otherwise, and one delivered attempt per channel."""
    state = state or (FollowUpState.CLOSED if outcome else FollowUpState.OPEN)
    follow_up = FollowUp(
        client_id=client_id,
        conversation_id=conversation_id,
        state=state,
        round_number=round_number,
        opened_at=opened_at,
        closed_at=NOW if state is FollowUpState.CLOSED else None,
    )
    session.add(follow_up)
    await session.flush()
    if outcome:
        session.add(
            Outcome(
                follow_up_id=follow_up.id,
                category=outcome[0],
                reason=outcome[1],
                source=source,
                recorded_by_id=recorded_by_id,
                recorded_at=NOW,
            )
        )
    session.add_all(
        Attempt(
            follow_up_id=follow_up.id,
            channel=channel,
            purpose=AttemptPurpose.CALL if channel is Channel.CALL else AttemptPurpose.OPENING,
            state=AttemptState.DELIVERED,
            due_at=opened_at,
            created_at=opened_at,
            sent_at=opened_at,
        )
        for channel in channels
    )
    return follow_up


async def add_phone(
    session, client_id: int, e164: str, label: PhoneLabel = PhoneLabel.PRIMARY
) -> PhoneNumber:
    """A valid mobile number of the client."""
    number = PhoneNumber(
        client_id=client_id,
        label=label,
        raw=e164,
        e164=e164,
        type=PhoneType.MOBILE,
        status=ContactStatus.VALID,
        source=EvidenceSource.IMPORT,
        created_at=NOW,
    )
    session.add(number)
    await session.flush()
    return number


async def add_attempt(session, follow_up_id: int, **values) -> Attempt:
    """An opening SMS sent to the carrier, unless `values` say otherwise."""
    attempt = Attempt(
        follow_up_id=follow_up_id,
        channel=Channel.SMS,
        purpose=AttemptPurpose.OPENING,
        state=AttemptState.SENT,
        due_at=NOW,
        tries=1,
        sent_at=NOW,
        created_at=NOW,
    )
    for name, value in values.items():
        setattr(attempt, name, value)
    session.add(attempt)
    await session.flush()
    return attempt


async def add_call_waiting(
    session, ref: str, due_at: datetime = NOW
) -> tuple[int, FollowUp, Attempt]:
    """A resident whose call is due, waiting for an agent: (client id, follow-up, call)."""
    client_id, conversation_id = await add_client(session, ref)
    follow_up = await add_follow_up(
        session, client_id, conversation_id, round_number=1, opened_at=NOW
    )
    call = await add_attempt(
        session,
        follow_up.id,
        channel=Channel.CALL,
        purpose=AttemptPurpose.CALL,
        state=AttemptState.QUEUED,
        sent_at=None,
        tries=0,
        due_at=due_at,
    )
    return client_id, follow_up, call


async def add_calls_waiting(session, count: int, prefix: str = "") -> None:
    """Residents with a call due, the first one waiting longest, for "Volgende inwoner"."""
    for n in range(count):
        await add_call_waiting(session, f"{prefix}{n}", due_at=NOW - timedelta(minutes=n))


async def add_resident(sessions, ref: str, number: str) -> int:
    """A resident with a mobile number in round 1 with a queued reminder: the follow-up's
    id."""
    async with sessions() as session, session.begin():
        client_id, conversation_id = await add_client(session, ref)
        follow_up = await add_follow_up(
            session, client_id, conversation_id, round_number=1, opened_at=NOW
        )
        await add_phone(session, client_id, number)
        await add_attempt(
            session,
            follow_up.id,
            state=AttemptState.QUEUED,
            purpose=AttemptPurpose.REMINDER,
            sent_at=None,
            tries=0,
        )
        return follow_up.id
