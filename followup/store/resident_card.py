"""The resident card as queries: who the resident is and how they can be reached, their
current follow-up, and everything that happened, as rows the card puts on one timeline."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from followup.rules.domain import (
    AttemptPurpose,
    AttemptState,
    Channel,
    ContactKind,
    ContactStatus,
    EvidenceSource,
    FollowUpState,
    Initiative,
    MessageDirection,
    OptOutSource,
    OutcomeCategory,
    OutcomeSource,
    PhoneLabel,
    PhoneType,
    UnreachableReason,
    WrapUpResult,
)
from followup.store.staff_tables import User
from followup.store.tables import (
    Attempt,
    Client,
    ContactChange,
    Conversation,
    FollowUp,
    OptOut,
    Outcome,
    PhoneNumber,
    Round,
    SmsMessage,
    WrapUp,
)

TIMELINE_LIMIT = 500  # of each kind: a card is read by a person


@dataclass(frozen=True, slots=True)
class Number:
    id: int
    label: PhoneLabel
    raw: str
    e164: str | None
    type: PhoneType
    status: ContactStatus
    invalid_source: EvidenceSource | None
    invalid_detail: str | None
    sms_blocked: bool
    retired_at: datetime | None


@dataclass(frozen=True, slots=True)
class Resident:
    id: int
    name: str
    wijk: str
    email: str | None
    email_status: ContactStatus | None
    preferred_channel: Channel | None
    call_part: str | None  # the part of the day they asked to be called in
    opted_out: bool


@dataclass(frozen=True, slots=True)
class CurrentFollowUp:
    id: int
    state: FollowUpState
    round_number: int
    step: int | None  # the latest ladder step queued in this round
    conversation_date: date
    follow_up_after_months: int
    initiative: Initiative
    due_on: date
    callback_requested_at: datetime | None
    leased_to: str | None  # the agent working them now
    lease_until: datetime | None


@dataclass(frozen=True, slots=True)
class AttemptEvent:
    at: datetime
    id: int
    channel: Channel
    purpose: AttemptPurpose
    state: AttemptState
    due_at: datetime
    carrier_status: str | None
    error_message: str | None
    duration_seconds: int | None
    agent: str | None
    wrapped_up: bool
    message: str | None  # an agent's own SMS


@dataclass(frozen=True, slots=True)
class SmsEvent:
    at: datetime
    direction: MessageDirection
    body: str
    interpretation: str | None


@dataclass(frozen=True, slots=True)
class WrapUpEvent:
    at: datetime
    result: WrapUpResult
    note: str | None
    callback_at: datetime | None
    agent: str | None


@dataclass(frozen=True, slots=True)
class OutcomeEvent:
    at: datetime
    category: OutcomeCategory
    reason: UnreachableReason | None
    source: OutcomeSource
    note: str | None
    agent: str | None


@dataclass(frozen=True, slots=True)
class OptOutEvent:
    at: datetime
    source: OptOutSource
    lifted: bool  # this row is the lifting of an opt-out


@dataclass(frozen=True, slots=True)
class ContactChangeEvent:
    at: datetime
    kind: ContactKind
    old_value: str | None
    new_value: str
    agent: str | None


Event = AttemptEvent | SmsEvent | WrapUpEvent | OutcomeEvent | OptOutEvent | ContactChangeEvent


async def resident(session: AsyncSession, client_id: int) -> Resident | None:
    active_opt_out = sa.exists().where(OptOut.client_id == Client.id, OptOut.lifted_at.is_(None))
    row = (
        await session.execute(
            sa.select(
                Client.id,
                Client.name,
                Client.wijk,
                Client.email,
                Client.email_status,
                Client.preferred_channel,
                Client.call_part,
                active_opt_out,
            ).where(Client.id == client_id, Client.erased_at.is_(None))
        )
    ).first()
    return Resident(*row[:-1], bool(row[-1])) if row else None


async def numbers(session: AsyncSession, client_id: int) -> list[Number]:
    rows = await session.execute(
        sa.select(
            PhoneNumber.id,
            PhoneNumber.label,
            PhoneNumber.raw,
            PhoneNumber.e164,
            PhoneNumber.type,
            PhoneNumber.status,
            PhoneNumber.invalid_source,
            PhoneNumber.invalid_detail,
            PhoneNumber.sms_blocked,
            PhoneNumber.retired_at,
        )
        .where(PhoneNumber.client_id == client_id)
        .order_by(PhoneNumber.retired_at.is_not(None), PhoneNumber.label, PhoneNumber.id)
    )
    return [Number(*row) for row in rows]


async def current_follow_up(
    session: AsyncSession, client_id: int, now: datetime
) -> CurrentFollowUp | None:
    """The open follow-up, or else the latest one."""
    latest_step = (
        sa.select(sa.func.max(Attempt.step))
        .join(Round, Round.id == Attempt.round_id)
        .where(Round.follow_up_id == FollowUp.id, Round.number == FollowUp.round_number)
        .scalar_subquery()
    )
    holder = aliased(User)
    row = (
        await session.execute(
            sa.select(
                FollowUp.id,
                FollowUp.state,
                FollowUp.round_number,
                latest_step,
                Conversation.conversation_date,
                Conversation.follow_up_after_months,
                Conversation.initiative,
                Conversation.due_on,
                FollowUp.callback_requested_at,
                sa.case((FollowUp.lease_until > now, holder.email)),
                FollowUp.lease_until,
            )
            .join(Conversation, Conversation.id == FollowUp.conversation_id)
            .outerjoin(holder, holder.id == FollowUp.leased_to_id)
            .where(FollowUp.client_id == client_id)
            .order_by(FollowUp.state != FollowUpState.OPEN, FollowUp.opened_at.desc())
            .limit(1)
        )
    ).first()
    return CurrentFollowUp(*row) if row else None


async def card_signatures(session: AsyncSession, client_ids: Collection[int]) -> dict[int, int]:
    """For each resident, a value that changes whenever their card's timeline (or the call it
    shows) can have changed; residents erased or not found are left out. Two queries for any
    number of open cards: what can still change in each attempt, and the count and latest id
    of each other kind of event (rows that are only ever added, or lifted)."""
    ids = list(client_ids)
    attempts = await session.execute(
        sa.select(
            FollowUp.client_id,
            Attempt.id,
            Attempt.state,
            Attempt.carrier_status,
            Attempt.error_message,
            Attempt.duration_seconds,
            Attempt.agent_id,
            Attempt.carrier_sid.is_not(None),
            Attempt.wrapped_up_at.is_not(None),
            Attempt.due_at,
            Attempt.sent_at,
            Attempt.finished_at,
        )
        .join(FollowUp, FollowUp.id == Attempt.follow_up_id)
        .where(FollowUp.client_id.in_(ids))
        .order_by(FollowUp.client_id, Attempt.id)
    )
    seen: dict[int, list[tuple]] = {}
    for client_id, *attempt in attempts:
        seen.setdefault(client_id, []).append(tuple(attempt))
    tallies: dict[int, list[tuple]] = {}
    for kind, client_id, *tally in await session.execute(_tallies(ids)):
        tallies.setdefault(client_id, []).append((kind, *tally))
    # Only a resident who is there (the first tally) has a card to show.
    return {
        client_id: hash((tuple(sorted(tally)), tuple(seen.get(client_id, ()))))
        for client_id, tally in tallies.items()
        if any(kind == 0 for kind, *_ in tally)
    }


def _tallies(client_ids: list[int]) -> sa.CompoundSelect:
    """(kind, resident, count, latest id, count of a column that can be filled in later)."""

    def tally(
        kind: int,
        client: sa.ColumnElement,
        key: sa.ColumnElement,
        later: sa.ColumnElement | None = None,
    ) -> sa.Select:
        filled = sa.func.count(later) if later is not None else sa.literal_column("0")
        return (
            sa.select(sa.literal_column(str(kind)), client, sa.func.count(), sa.func.max(key))
            .add_columns(filled)
            .where(client.in_(client_ids))
            .group_by(client)
        )

    of_follow_up = FollowUp.client_id
    return sa.union_all(
        tally(0, Client.id, Client.id).where(Client.erased_at.is_(None)),
        tally(1, of_follow_up, FollowUp.id),
        tally(2, SmsMessage.client_id, SmsMessage.id, SmsMessage.interpretation),
        tally(3, of_follow_up, WrapUp.id)
        .select_from(WrapUp)
        .join(FollowUp, FollowUp.id == WrapUp.follow_up_id),
        tally(4, of_follow_up, Outcome.id)
        .select_from(Outcome)
        .join(FollowUp, FollowUp.id == Outcome.follow_up_id),
        tally(5, OptOut.client_id, OptOut.id, OptOut.lifted_at),
        tally(6, ContactChange.client_id, ContactChange.id),
    )


async def timeline(session: AsyncSession, client_id: int) -> list[Event]:
    """Everything that happened with this resident, newest first."""
    events: list[Event] = []
    for query, make in (
        (_attempts(client_id), AttemptEvent),
        (_messages(client_id), SmsEvent),
        (_wrap_ups(client_id), WrapUpEvent),
        (_outcomes(client_id), OutcomeEvent),
        (_opt_outs(client_id, lifted=False), OptOutEvent),
        (_opt_outs(client_id, lifted=True), OptOutEvent),
        (_contact_changes(client_id), ContactChangeEvent),
    ):
        events += [make(*row) for row in await session.execute(query.limit(TIMELINE_LIMIT))]
    return sorted(events, key=lambda event: event.at, reverse=True)


def _of_client(client_id: int) -> sa.ColumnElement[bool]:
    return FollowUp.client_id == client_id


def _attempts(client_id: int) -> sa.Select:
    at = sa.func.coalesce(Attempt.finished_at, Attempt.sent_at, Attempt.due_at)
    return (
        sa.select(
            at,
            Attempt.id,
            Attempt.channel,
            Attempt.purpose,
            Attempt.state,
            Attempt.due_at,
            Attempt.carrier_status,
            Attempt.error_message,
            Attempt.duration_seconds,
            User.email,
            Attempt.wrapped_up_at.is_not(None),
            Attempt.message,
        )
        .join(FollowUp, FollowUp.id == Attempt.follow_up_id)
        .outerjoin(User, User.id == Attempt.agent_id)
        .where(_of_client(client_id))
        .order_by(at.desc())
    )


def _messages(client_id: int) -> sa.Select:
    return (
        sa.select(
            SmsMessage.created_at, SmsMessage.direction, SmsMessage.body, SmsMessage.interpretation
        )
        .where(SmsMessage.client_id == client_id)
        .order_by(SmsMessage.created_at.desc())
    )


def _wrap_ups(client_id: int) -> sa.Select:
    return (
        sa.select(WrapUp.recorded_at, WrapUp.result, WrapUp.note, WrapUp.callback_at, User.email)
        .join(FollowUp, FollowUp.id == WrapUp.follow_up_id)
        .outerjoin(User, User.id == WrapUp.user_id)
        .where(_of_client(client_id))
        .order_by(WrapUp.recorded_at.desc())
    )


def _outcomes(client_id: int) -> sa.Select:
    return (
        sa.select(
            Outcome.recorded_at,
            Outcome.category,
            Outcome.reason,
            Outcome.source,
            Outcome.note,
            User.email,
        )
        .join(FollowUp, FollowUp.id == Outcome.follow_up_id)
        .outerjoin(User, User.id == Outcome.recorded_by_id)
        .where(_of_client(client_id))
        .order_by(Outcome.recorded_at.desc())
    )


def _opt_outs(client_id: int, *, lifted: bool) -> sa.Select:
    at = OptOut.lifted_at if lifted else OptOut.created_at
    source = OptOut.lifted_source if lifted else OptOut.source
    query = sa.select(at, source, sa.literal(lifted)).where(OptOut.client_id == client_id)
    return query.where(OptOut.lifted_at.is_not(None)) if lifted else query


def _contact_changes(client_id: int) -> sa.Select:
    return (
        sa.select(
            ContactChange.changed_at,
            ContactChange.kind,
            ContactChange.old_value,
            ContactChange.new_value,
            User.email,
        )
        .outerjoin(User, User.id == ContactChange.user_id)
        .where(ContactChange.client_id == client_id)
        .order_by(ContactChange.changed_at.desc())
    )
