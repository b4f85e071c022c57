"""The queue side of planning: rounds' ladders become attempt rows, one step at a time, and
attempts that may no longer be sent are cancelled. Set-based: one statement for all rounds."""

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.attempt import AttemptProgress
from followup.rules.attempt_failures import FollowOn
from followup.rules.domain import (
    AttemptPurpose,
    AttemptState,
    Channel,
    FollowUpState,
    MessageDirection,
)
from followup.rules.ladder import ContactProfile, PlannedAttempt
from followup.store.bulk import insert_rows
from followup.store.contact_profile import PROFILE_CODE, decode_profile
from followup.store.rounds import latest_round_of
from followup.store.rows import insert_select_ignoring_conflicts
from followup.store.scratch import scratch, scratch_table
from followup.store.tables import Attempt, Client, FollowUp, Round, SmsMessage
from followup.store.types import UTCDateTime
from followup.store.wrap_ups import held_for_wrap_up

OPEN, CLOSED = FollowUpState.OPEN.value, FollowUpState.CLOSED.value

WAITING = scratch_table(
    "plan_waiting",
    sa.Column("round_id", sa.Integer),
    sa.Column("follow_up_id", sa.Integer),
    sa.Column("opened_at", UTCDateTime()),
    sa.Column("profile", sa.Integer),
    sa.Column("last_step", sa.Integer),
)
STEPS = scratch_table(
    "plan_steps",
    sa.Column("opened_at", UTCDateTime()),
    sa.Column("profile", sa.Integer),
    sa.Column("after_step", sa.Integer),
    sa.Column("step", sa.Integer),
    sa.Column("channel", sa.String(32)),
    sa.Column("purpose", sa.String(32)),
    sa.Column("due_at", UTCDateTime()),
)
_PENDING_OR_STOPPED = (AttemptState.QUEUED, AttemptState.SENDING, AttemptState.CANCELLED)


@dataclass(frozen=True, slots=True)
class WaitingGroup:
    """Rounds that opened at the same moment for clients reachable the same way follow the
    same ladder: it is computed once per group, not once per client."""

    opened_at: datetime
    profile: ContactProfile
    rounds: int


Planner = Callable[[WaitingGroup], Sequence[PlannedAttempt]]


def _rounds_ready_for_a_step() -> sa.Select:
    """Open rounds whose attempts so far are all done: none waiting or being sent, and none
    cancelled (a reply or a closed follow-up stops the ladder)."""
    last_step = (
        sa.select(sa.func.coalesce(sa.func.max(Attempt.step), -1))
        .where(Attempt.round_id == Round.id)
        .scalar_subquery()
    )
    return (
        sa.select(Round.id, Round.follow_up_id, Round.opened_at, PROFILE_CODE, last_step)
        .join(FollowUp, FollowUp.id == Round.follow_up_id)
        .join(Client, Client.id == FollowUp.client_id)
        .where(
            Round.closed_at.is_(None),
            FollowUp.state == OPEN,
            ~held_for_wrap_up(FollowUp.id),
            ~sa.exists().where(
                Attempt.round_id == Round.id, Attempt.state.in_(_PENDING_OR_STOPPED)
            ),
        )
    )


def _steps(groups: Sequence[tuple[datetime, int, int]], plan: Planner) -> list[dict]:
    """Each planned step with the step before it: a round whose last attempt was any step
    from `after_step` up to this one's gets this one next, even if its profile changed."""
    rows = []
    for opened_at, code, count in groups:
        after = -1
        for p in plan(WaitingGroup(opened_at, decode_profile(code), count)):
            rows.append(
                {
                    "opened_at": opened_at,
                    "profile": code,
                    "after_step": after,
                    "step": p.step,
                    "channel": p.channel.value,
                    "purpose": p.purpose.value,
                    "due_at": p.due_at,
                }
            )
            after = p.step
    return rows


async def queue_next_steps(session: AsyncSession, now: datetime, plan: Planner) -> int:
    """Queue the next ladder step of every round that is ready for one. The ladder moves on
    as attempts finish, so a reply, an answer or a wrong number is seen before the next step,
    and a pass that opens 100,000 rounds writes one attempt each, not the whole ladder."""
    async with scratch(session, WAITING, _rounds_ready_for_a_step()), scratch(session, STEPS):
        groups = await session.execute(
            sa.select(WAITING.c.opened_at, WAITING.c.profile, sa.func.count()).group_by(
                WAITING.c.opened_at, WAITING.c.profile
            )
        )
        await insert_rows(session, STEPS, _steps(groups.all(), plan))
        planned = sa.select(
            WAITING.c.follow_up_id,
            WAITING.c.round_id,
            STEPS.c.step,
            STEPS.c.channel,
            STEPS.c.purpose,
            sa.literal(AttemptState.QUEUED.value),
            STEPS.c.due_at,
            sa.literal(0),
            sa.literal(now, UTCDateTime()),
        ).join(
            STEPS,
            sa.and_(
                STEPS.c.profile == WAITING.c.profile,
                STEPS.c.opened_at == WAITING.c.opened_at,
                STEPS.c.after_step <= WAITING.c.last_step,
                STEPS.c.step > WAITING.c.last_step,
            ),
        )
        result = await session.execute(
            insert_select_ignoring_conflicts(
                session,
                Attempt.__table__,
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
                planned,
            )
        )
    return result.rowcount


async def _cancel(
    session: AsyncSession, now: datetime, reason: str, condition: sa.ColumnElement[bool]
) -> int:
    result = await session.execute(
        sa.update(Attempt)
        .where(Attempt.state == AttemptState.QUEUED, condition)
        .values(state=AttemptState.CANCELLED, cancelled_reason=reason, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def callback_waiting(*where: sa.ColumnElement[bool]) -> sa.Exists:
    """A call the resident asked for, or agreed with an agent, still waits: its round does
    not end and its follow-up does not close as not reached before it is made."""
    return sa.exists().where(
        Attempt.purpose == AttemptPurpose.CALLBACK, Attempt.state == AttemptState.QUEUED, *where
    )


async def cancel_attempts_of_closed_rounds(session: AsyncSession, now: datetime) -> int:
    """Queued attempts whose round ended will never be sent; a callback the resident asked
    for between rounds stays."""
    return await _cancel(
        session,
        now,
        "round_closed",
        sa.and_(
            Attempt.purpose != AttemptPurpose.CALLBACK,
            sa.exists().where(Round.id == Attempt.round_id, Round.closed_at.is_not(None)),
        ),
    )


async def cancel_attempts_of_closed(
    session: AsyncSession, now: datetime, follow_up_ids: Collection[int] | None
) -> int:
    """The queued attempts of closed follow-ups (of these ids, or all): at once, not at the
    next pass."""
    closed = sa.exists().where(FollowUp.id == Attempt.follow_up_id, FollowUp.state == CLOSED)
    if follow_up_ids is not None:
        closed = sa.and_(Attempt.follow_up_id.in_(follow_up_ids), closed)
    return await _cancel(session, now, "round_closed", closed)


async def cancel_attempts_after_replies(session: AsyncSession, now: datetime) -> int:
    """A reply on any channel stops every attempt queued before it for that client; an
    attempt made because of the reply (a callback) comes after it and stays."""
    return await _cancel(
        session,
        now,
        "client_replied",
        sa.exists().where(
            FollowUp.id == Attempt.follow_up_id,
            SmsMessage.client_id == FollowUp.client_id,
            SmsMessage.direction == MessageDirection.INBOUND,
            SmsMessage.created_at > Attempt.created_at,
        ),
    )


async def queue_follow_on(
    session: AsyncSession, failed: AttemptProgress, follow_on: FollowOn, now: datetime
) -> None:
    """A new attempt that takes over from `failed`, unless one already did (a callback that
    came twice) or the follow-up closed meanwhile."""
    values = {
        "follow_up_id": sa.literal(failed.follow_up_id),
        "round_id": sa.literal(failed.round_id, sa.Integer),
        "replaces_id": sa.literal(failed.id),
        "channel": sa.literal(follow_on.channel.value),
        "purpose": sa.literal(failed.purpose.value),
        "state": sa.literal(AttemptState.QUEUED.value),
        "due_at": sa.literal(follow_on.due_at, UTCDateTime()),
        "tries": sa.literal(follow_on.tries),
        "created_at": sa.literal(now, UTCDateTime()),
    }
    still_open = sa.exists().where(FollowUp.id == failed.follow_up_id, FollowUp.state == OPEN)
    await session.execute(
        insert_select_ignoring_conflicts(
            session, Attempt.__table__, list(values), sa.select(*values.values()).where(still_open)
        )
    )


async def queue_callback(session: AsyncSession, follow_up_id: int, now: datetime) -> None:
    """A call due now, in the follow-up's latest round, unless one waits already: asking
    again does not queue a second call."""
    waiting = sa.exists().where(
        Attempt.follow_up_id == follow_up_id,
        Attempt.purpose == AttemptPurpose.CALLBACK,
        Attempt.state.in_([AttemptState.QUEUED, AttemptState.SENDING]),
    )
    latest_round = latest_round_of(follow_up_id).scalar_subquery()
    values = {
        "follow_up_id": sa.literal(follow_up_id),
        "round_id": latest_round,
        "channel": sa.literal(Channel.CALL.value),
        "purpose": sa.literal(AttemptPurpose.CALLBACK.value),
        "state": sa.literal(AttemptState.QUEUED.value),
        "due_at": sa.literal(now, UTCDateTime()),
        "tries": sa.literal(0),
        "created_at": sa.literal(now, UTCDateTime()),
    }
    await session.execute(
        sa.insert(Attempt).from_select(list(values), sa.select(*values.values()).where(~waiting))
    )
