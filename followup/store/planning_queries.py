"""The planning pass as set-based statements: each one touches every follow-up it concerns at
once, and each is idempotent and safe when two passes overlap (unique keys, guarded UPDATEs).
The attempt side of a pass is in `attempt_queue`; closing follow-ups in `follow_ups`.
"""

from collections.abc import Collection
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import (
    FollowUpState,
    OutcomeCategory,
    OutcomeSource,
    UnreachableReason,
)
from followup.store.attempt_queue import callback_waiting
from followup.store.care_signals import WITH_CARE
from followup.store.contact_profile import NO_CONTACT, OPTED_OUT, PROVEN_WRONG
from followup.store.follow_ups import Closed, close_with_outcome
from followup.store.rows import insert_select_ignoring_conflicts
from followup.store.tables import Attempt, Client, FollowUp, Outcome, Round
from followup.store.types import UTCDateTime

OPEN, CLOSED = FollowUpState.OPEN.value, FollowUpState.CLOSED.value


def _current_round_closed() -> sa.Exists:
    return sa.exists().where(
        Round.follow_up_id == FollowUp.id,
        Round.number == FollowUp.round_number,
        Round.closed_at.is_not(None),
    )


async def close_expired_rounds(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(
        sa.update(Round)
        .where(
            Round.closed_at.is_(None),
            Round.closes_at <= now,
            ~callback_waiting(Attempt.round_id == Round.id),
        )
        .values(closed_at=now)
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
    source: OutcomeSource = OutcomeSource.PLANNER,
) -> int:
    select = (
        sa.select(
            FollowUp.id,
            sa.literal(OutcomeCategory.UNREACHABLE.value),
            reason,
            sa.literal(source.value),
            sa.literal(now, UTCDateTime()),
        )
        .join(Client, Client.id == FollowUp.client_id)
        .where(FollowUp.state == OPEN, candidates)
    )
    result = await session.execute(
        insert_select_ignoring_conflicts(
            session,
            Outcome.__table__,
            ["follow_up_id", "category", "reason", "source", "recorded_at"],
            select,
        )
    )
    return result.rowcount


def lost_contact_reason() -> sa.ColumnElement:
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
        FollowUp.next_round_at.is_(None),
        FollowUp.round_number >= rounds,
        _current_round_closed(),
        ~callback_waiting(Attempt.follow_up_id == FollowUp.id),
        ~WITH_CARE,  # the colleague closes it, with the hand-off
    )
    return await _record_unreachable(session, reason, ended, now)


def uncontactable_reason() -> sa.ColumnElement:
    """Why a client cannot be contacted now (NULL when they can): an active opt-out, numbers
    the carrier proved wrong, or never any usable detail."""
    return sa.case(
        (OPTED_OUT, UnreachableReason.OPTED_OUT.value),
        (NO_CONTACT, lost_contact_reason()),
        else_=sa.null(),
    )


def _known_uncontactable_reason() -> sa.ColumnElement:
    return sa.case((OPTED_OUT, UnreachableReason.OPTED_OUT.value), else_=lost_contact_reason())


async def record_uncontactable(session: AsyncSession, now: datetime) -> int:
    """Follow-ups about to open a next round for a client who opted out or cannot be reached
    by any channel close at once, so coordinators see the reason instead of a silent gap."""
    due = sa.and_(FollowUp.next_round_at <= now, sa.or_(OPTED_OUT, NO_CONTACT), ~WITH_CARE)
    return await _record_unreachable(session, _known_uncontactable_reason(), due, now)


async def close_uncontactable(
    session: AsyncSession, now: datetime, follow_up_ids: Collection[int]
) -> Closed:
    """These follow-ups close now if their client opted out or has no channel left (the
    dialer just proved the last number wrong)."""
    candidates = sa.and_(
        FollowUp.id.in_(follow_up_ids),
        sa.or_(OPTED_OUT, NO_CONTACT),
        ~WITH_CARE,  # the colleague closes it, with the hand-off
    )
    await _record_unreachable(
        session, _known_uncontactable_reason(), candidates, now, OutcomeSource.DIALER
    )
    return await close_with_outcome(session, now, follow_up_ids)


async def open_rounds(session: AsyncSession, now: datetime, length: timedelta) -> int:
    # A follow-up with a colleague for care opens no new round: it waits for the hand-off.
    due = sa.and_(FollowUp.state == OPEN, FollowUp.next_round_at <= now, ~WITH_CARE)
    await session.execute(
        insert_select_ignoring_conflicts(
            session,
            Round.__table__,
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


async def pass_details(session: AsyncSession, now: datetime) -> dict:
    """What the pass at `now` did, row by row, for a dry run to show before it is rolled
    back: the rounds opened, the follow-ups closed, the attempts queued per channel."""
    stamp = sa.literal(now, UTCDateTime())
    opened = await session.execute(
        sa.select(Client.client_ref, Round.number)
        .join(FollowUp, FollowUp.client_id == Client.id)
        .join(Round, Round.follow_up_id == FollowUp.id)
        .where(Round.opened_at == stamp)
        .order_by(Client.client_ref)
    )
    closed = await session.execute(
        sa.select(Client.client_ref, Outcome.category, Outcome.reason)
        .join(FollowUp, FollowUp.client_id == Client.id)
        .join(Outcome, Outcome.follow_up_id == FollowUp.id)
        .where(Outcome.recorded_at == stamp, FollowUp.closed_at == stamp)
        .order_by(Client.client_ref)
    )
    queued = await session.execute(
        sa.select(
            Attempt.channel,
            Attempt.purpose,
            sa.func.count(),
            sa.func.min(Attempt.due_at),
            sa.func.max(Attempt.due_at),
        )
        .where(Attempt.created_at == stamp)
        .group_by(Attempt.channel, Attempt.purpose)
        .order_by(Attempt.channel, Attempt.purpose)
    )
    return {
        "opened": [{"client_ref": ref, "round": number} for ref, number in opened],
        "closed": [
            {"client_ref": ref, "category": category, "reason": reason}
            for ref, category, reason in closed
        ],
        "queued": [
            {
                "channel": channel,
                "purpose": purpose,
                "count": count,
                "first_due_at": first.isoformat(),
                "last_due_at": last.isoformat(),
            }
            for channel, purpose, count, first, last in queued
        ],
    }
