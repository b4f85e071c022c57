"""The planning pass as set-based statements: each one touches every follow-up it concerns at
once, and each is idempotent and safe when two passes overlap (unique keys, guarded UPDATEs).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import (
    AttemptState,
    Channel,
    ContactStatus,
    EvidenceSource,
    FollowUpState,
    MessageDirection,
    OutcomeCategory,
    OutcomeSource,
    PhoneType,
    UnreachableReason,
)
from followup.rules.ladder import ContactProfile, PlannedAttempt
from followup.rules.phones import CALLABLE_TYPES
from followup.store.conflicts import insert_ignoring_conflicts
from followup.store.tables import (
    Attempt,
    Client,
    Conversation,
    FollowUp,
    OptOut,
    Outcome,
    PhoneNumber,
    Round,
    SmsMessage,
)
from followup.store.types import UTCDateTime

OPEN, CLOSED = FollowUpState.OPEN.value, FollowUpState.CLOSED.value
_PROOF = (EvidenceSource.CARRIER_ERROR, EvidenceSource.DELIVERY_ERROR, EvidenceSource.LOOKUP)
_PREFERENCES = {None: 0, Channel.CALL: 1, Channel.SMS: 2, Channel.EMAIL: 3}


async def cancel_attempts_after_replies(session: AsyncSession, now: datetime) -> int:
    """A reply on any channel stops every attempt queued before it for that client; an
    attempt made because of the reply (a callback) comes after it and stays."""
    replied = sa.exists().where(
        FollowUp.id == Attempt.follow_up_id,
        SmsMessage.client_id == FollowUp.client_id,
        SmsMessage.direction == MessageDirection.INBOUND,
        SmsMessage.created_at > Attempt.created_at,
    )
    result = await session.execute(
        sa.update(Attempt)
        .where(Attempt.state == AttemptState.QUEUED, replied)
        .values(state=AttemptState.CANCELLED, cancelled_reason="client_replied", finished_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def _phone_exists(*conditions: sa.ColumnElement[bool]) -> sa.Exists:
    return sa.exists().where(
        PhoneNumber.client_id == Client.id, PhoneNumber.retired_at.is_(None), *conditions
    )


# What a client can be reached by, now. Evaluated inside statements that join `clients`.
CAN_SMS = _phone_exists(
    PhoneNumber.status == ContactStatus.VALID,
    PhoneNumber.type == PhoneType.MOBILE,
    PhoneNumber.sms_blocked.is_(False),
)
CAN_CALL = _phone_exists(
    PhoneNumber.status == ContactStatus.VALID, PhoneNumber.type.in_(sorted(CALLABLE_TYPES))
)
HAS_EMAIL = Client.email_status == ContactStatus.VALID
PROVEN_WRONG = _phone_exists(
    PhoneNumber.status == ContactStatus.INVALID, PhoneNumber.invalid_source.in_(_PROOF)
)
OPTED_OUT = sa.exists().where(OptOut.client_id == Client.id, OptOut.lifted_at.is_(None))
NO_CONTACT = sa.and_(~CAN_SMS, ~CAN_CALL, sa.not_(sa.func.coalesce(HAS_EMAIL, False)))

PROFILE_CODE = (
    sa.case((CAN_SMS, 1), else_=0)
    + sa.case((CAN_CALL, 2), else_=0)
    + sa.case((HAS_EMAIL, 4), else_=0)
    + 8
    * sa.case(
        *(
            (Client.preferred_channel == channel, code)
            for channel, code in _PREFERENCES.items()
            if channel is not None
        ),
        else_=0,
    )
)


def decode_profile(code: int) -> ContactProfile:
    preferred = {v: k for k, v in _PREFERENCES.items()}[code // 8]
    return ContactProfile(
        can_sms=bool(code & 1),
        can_call=bool(code & 2),
        has_email=bool(code & 4),
        preferred=preferred,
    )


def _current_round_closed() -> sa.Exists:
    return sa.exists().where(
        Round.follow_up_id == FollowUp.id,
        Round.number == FollowUp.round_number,
        Round.closed_at.is_not(None),
    )


async def close_expired_rounds(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(
        sa.update(Round)
        .where(Round.closed_at.is_(None), Round.closes_at <= now)
        .values(closed_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


async def cancel_stale_attempts(session: AsyncSession, now: datetime) -> int:
    """Queued attempts whose round ended or whose follow-up closed will never be sent."""
    stale = sa.or_(
        sa.exists().where(Round.id == Attempt.round_id, Round.closed_at.is_not(None)),
        sa.exists().where(FollowUp.id == Attempt.follow_up_id, FollowUp.state == CLOSED),
    )
    result = await session.execute(
        sa.update(Attempt)
        .where(Attempt.state == AttemptState.QUEUED, stale)
        .values(state=AttemptState.CANCELLED, cancelled_reason="round_closed", finished_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


async def schedule_next_rounds(
    session: AsyncSession, now: datetime, rounds: int, gap: timedelta
) -> int:
    """Open follow-ups whose round ended, with rounds left: the next one opens after the gap."""
    result = await session.execute(
        sa.update(FollowUp)
        .where(
            FollowUp.state == OPEN,
            FollowUp.next_round_at.is_(None),
            FollowUp.round_number < rounds,
            _current_round_closed(),
        )
        .values(next_round_at=now + gap)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


async def _record_unreachable(
    session: AsyncSession,
    reason: sa.ColumnElement,
    candidates: sa.ColumnElement[bool],
    now: datetime,
) -> int:
    select = (
        sa.select(
            FollowUp.id,
            sa.literal(OutcomeCategory.UNREACHABLE.value),
            reason,
            sa.literal(OutcomeSource.PLANNER.value),
            sa.literal(now, UTCDateTime()),
        )
        .join(Client, Client.id == FollowUp.client_id)
        .where(FollowUp.state == OPEN, candidates)
    )
    result = await session.execute(
        insert_ignoring_conflicts(session, Outcome.__table__).from_select(
            ["follow_up_id", "category", "reason", "source", "recorded_at"], select
        )
    )
    return result.rowcount


def _lost_contact_reason() -> sa.ColumnElement:
    """Numbers the carrier proved wrong are `invalid_number`; never having had any usable
    detail is `no_contact_details`."""
    return sa.case(
        (PROVEN_WRONG, UnreachableReason.INVALID_NUMBER.value),
        else_=UnreachableReason.NO_CONTACT_DETAILS.value,
    )


async def record_ended_follow_ups(session: AsyncSession, now: datetime, rounds: int) -> int:
    """After the last round: unreachable, because of bad numbers or because nobody answered."""
    reason = sa.case(
        (sa.and_(NO_CONTACT, PROVEN_WRONG), UnreachableReason.INVALID_NUMBER.value),
        else_=UnreachableReason.NO_ANSWER.value,
    )
    ended = sa.and_(
        FollowUp.next_round_at.is_(None), FollowUp.round_number >= rounds, _current_round_closed()
    )
    return await _record_unreachable(session, reason, ended, now)


async def record_uncontactable(session: AsyncSession, now: datetime) -> int:
    """Follow-ups about to open a round for a client who opted out or cannot be reached by
    any channel close at once, so coordinators see the reason instead of a silent gap."""
    reason = sa.case((OPTED_OUT, UnreachableReason.OPTED_OUT.value), else_=_lost_contact_reason())
    due = sa.and_(FollowUp.next_round_at <= now, sa.or_(OPTED_OUT, NO_CONTACT))
    return await _record_unreachable(session, reason, due, now)


async def close_follow_ups_with_outcome(session: AsyncSession, now: datetime) -> int:
    """A follow-up about to enter a round when it closed counts as having entered it."""
    entering = sa.and_(FollowUp.next_round_at.is_not(None), FollowUp.next_round_at <= now)
    result = await session.execute(
        sa.update(FollowUp)
        .where(
            FollowUp.state == OPEN,
            sa.exists().where(Outcome.follow_up_id == FollowUp.id),
        )
        .values(
            state=CLOSED,
            closed_at=now,
            next_round_at=None,
            round_number=sa.case(
                (entering, FollowUp.round_number + 1), else_=FollowUp.round_number
            ),
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


async def open_follow_ups(session: AsyncSession, now: datetime, today: date) -> int:
    """One follow-up per client at a time, for the client's latest conversation that is due."""
    c = sa.alias(Conversation.__table__, "c")
    newer_due = sa.exists().where(
        Conversation.client_id == c.c.client_id,
        Conversation.conversation_date > c.c.conversation_date,
        Conversation.due_on <= today,
    )
    select = (
        sa.select(
            c.c.client_id,
            c.c.id,
            sa.literal(OPEN),
            sa.literal(0),
            sa.literal(now, UTCDateTime()),
            sa.literal(now, UTCDateTime()),
        )
        .join(Client, Client.id == c.c.client_id)
        .where(
            c.c.due_on <= today,
            Client.erased_at.is_(None),
            ~sa.exists().where(FollowUp.conversation_id == c.c.id),
            ~sa.exists().where(FollowUp.client_id == c.c.client_id, FollowUp.state == OPEN),
            ~newer_due,
        )
    )
    result = await session.execute(
        insert_ignoring_conflicts(session, FollowUp.__table__).from_select(
            ["client_id", "conversation_id", "state", "round_number", "opened_at", "next_round_at"],
            select,
        )
    )
    return result.rowcount


async def open_rounds(session: AsyncSession, now: datetime, length: timedelta) -> int:
    due = sa.and_(FollowUp.state == OPEN, FollowUp.next_round_at <= now)
    await session.execute(
        insert_ignoring_conflicts(session, Round.__table__).from_select(
            ["follow_up_id", "number", "opened_at", "closes_at"],
            sa.select(
                FollowUp.id,
                FollowUp.round_number + 1,
                sa.literal(now, UTCDateTime()),
                sa.literal(now + length, UTCDateTime()),
            ).where(due),
        )
    )
    result = await session.execute(
        sa.update(FollowUp)
        .where(due)
        .values(round_number=FollowUp.round_number + 1, next_round_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def _rounds_waiting_for_attempts() -> sa.CTE:
    """Open rounds without attempts, with their client's contact profile. Materialized:
    otherwise PostgreSQL may run the profile subqueries again for every ladder step."""
    return (
        sa.select(Round.id, Round.follow_up_id, Round.opened_at, PROFILE_CODE.label("profile"))
        .join(FollowUp, FollowUp.id == Round.follow_up_id)
        .join(Client, Client.id == FollowUp.client_id)
        .where(
            Round.closed_at.is_(None),
            FollowUp.state == OPEN,
            ~sa.exists().where(Attempt.round_id == Round.id),
        )
        .cte("waiting", nesting=True)
        .prefix_with("MATERIALIZED")
    )


@dataclass(frozen=True, slots=True)
class WaitingGroup:
    opened_at: datetime
    profile: ContactProfile
    code: int
    rounds: int


async def rounds_waiting_for_attempts(session: AsyncSession) -> list[WaitingGroup]:
    waiting = _rounds_waiting_for_attempts()
    rows = await session.execute(
        sa.select(waiting.c.opened_at, waiting.c.profile, sa.func.count()).group_by(
            waiting.c.opened_at, waiting.c.profile
        )
    )
    return [
        WaitingGroup(opened_at, decode_profile(code), code, count)
        for opened_at, code, count in rows
    ]


async def queue_attempts(
    session: AsyncSession,
    now: datetime,
    plans: Sequence[tuple[WaitingGroup, Sequence[PlannedAttempt]]],
) -> int:
    """One INSERT … SELECT for all waiting rounds: the ladder steps per (opening moment,
    contact profile) are joined in as a small literal table."""
    steps = [
        sa.select(
            sa.literal(group.opened_at, UTCDateTime()).label("opened_at"),
            sa.literal(group.code).label("profile"),
            sa.literal(p.step).label("step"),
            sa.literal(p.channel.value).label("channel"),
            sa.literal(p.purpose.value).label("purpose"),
            sa.literal(p.due_at, UTCDateTime()).label("due_at"),
        )
        for group, planned in plans
        for p in planned
    ]
    if not steps:
        return 0
    table = sa.union_all(*steps).subquery("steps") if len(steps) > 1 else steps[0].subquery()
    waiting = _rounds_waiting_for_attempts()
    select = sa.select(
        waiting.c.follow_up_id,
        waiting.c.id,
        table.c.step,
        table.c.channel,
        table.c.purpose,
        sa.literal(AttemptState.QUEUED.value),
        table.c.due_at,
        sa.literal(0),
        sa.literal(now, UTCDateTime()),
    ).join(
        table,
        sa.and_(table.c.profile == waiting.c.profile, table.c.opened_at == waiting.c.opened_at),
    )
    # The WITH goes inside a subquery so the statement still starts with INSERT: Python's
    # sqlite3 reports no row count for a statement that starts with WITH. SQLite needs a
    # WHERE before ON CONFLICT to tell it from a join's ON.
    rows = select.subquery("planned")
    select = sa.select(*rows.c).where(sa.true())
    result = await session.execute(
        insert_ignoring_conflicts(session, Attempt.__table__).from_select(
            [
                "follow_up_id",
                "round_id",
                "step",
                "channel",
                "purpose",
                "state",
                "due_at",
                "tries",
                "created_at",
            ],
            select,
        )
    )
    return result.rowcount
