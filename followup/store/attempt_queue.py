"""The queue side of planning: rounds' ladders become attempt rows, one step at a time, and
attempts that may no longer be sent are cancelled. Set-based: one statement for all rounds."""

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.attempt import AttemptProgress
from followup.rules.attempt_failures import FollowOn
from followup.rules.call_times import HourShare
from followup.rules.domain import (
    AttemptPurpose,
    AttemptState,
    Channel,
    FollowUpState,
    MessageDirection,
)
from followup.rules.ladder import ContactProfile, PlannedAttempt
from followup.rules.sms_replies import ReplyKind
from followup.store.bulk import insert_rows
from followup.store.care_signals import WITH_CARE, care_pending_for
from followup.store.contact_profile import NO_CALL_PART_BELOW, PROFILE_CODE, decode_profile
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
    sa.Column("wijk", sa.String(100)),
    # Where the round stands among its group's, in [0, 1): how call times are shared out.
    sa.Column("position", sa.Float),
)
STEPS = scratch_table(
    "plan_steps",
    sa.Column("opened_at", UTCDateTime()),
    sa.Column("profile", sa.Integer),
    sa.Column("wijk", sa.String(100)),
    sa.Column("last_step", sa.Integer),
    sa.Column("step", sa.Integer),
    sa.Column("channel", sa.String(32)),
    sa.Column("purpose", sa.String(32)),
    sa.Column("due_at", UTCDateTime()),
    sa.Column("announces_at", UTCDateTime()),
    sa.Column("low", sa.Float),
    sa.Column("high", sa.Float),
)
_PENDING_OR_STOPPED = (AttemptState.QUEUED, AttemptState.SENDING, AttemptState.CANCELLED)


@dataclass(frozen=True, slots=True)
class WaitingGroup:
    """Rounds that opened at the same moment for clients reachable the same way, in the same
    wijk, follow the same ladder: it is computed once per group, not once per client."""

    opened_at: datetime
    profile: ContactProfile
    wijk: str
    rounds: int  # how many of them wait for the same next step


Planner = Callable[[WaitingGroup], Sequence[PlannedAttempt]]
# Where a group's calls of a step go: one span of the group for each hour (`rules/call_times`).
CallHours = Callable[[WaitingGroup, PlannedAttempt], Sequence[HourShare]]


def _rounds_ready_for_a_step(spread: bool) -> sa.Select:
    """Open rounds whose attempts so far are all done: none waiting or being sent, and none
    cancelled (a reply or a closed follow-up stops the ladder), of follow-ups not marked as
    needing care. To `spread` calls over hours,
    grouped by wijk too, each with its position in its group; otherwise one group per wijk
    less, and no window over 100,000 rows."""
    last_step = (
        sa.select(sa.func.coalesce(sa.func.max(Attempt.step), -1))
        .where(Attempt.round_id == Round.id)
        .scalar_subquery()
    )
    wijk = sa.func.coalesce(FollowUp.wijk, "") if spread else sa.literal("")
    ready = (
        sa.select(
            Round.id,
            Round.follow_up_id,
            Round.opened_at,
            PROFILE_CODE.label("profile"),
            last_step.label("last_step"),
            wijk.label("wijk"),
        )
        .join(FollowUp, FollowUp.id == Round.follow_up_id)
        .join(Client, Client.id == FollowUp.client_id)
        .where(
            Round.closed_at.is_(None),
            FollowUp.state == OPEN,
            ~held_for_wrap_up(FollowUp.id),
            ~WITH_CARE,  # with a colleague for care: nothing more is queued
            ~sa.exists().where(
                Attempt.round_id == Round.id, Attempt.state.in_(_PENDING_OR_STOPPED)
            ),
        )
    )
    if not spread:  # one span per step, [0, 1): any position finds it
        return ready.add_columns(sa.literal(0.5))
    ready = ready.subquery()
    group = (ready.c.opened_at, ready.c.profile, ready.c.wijk, ready.c.last_step)
    nth = sa.func.row_number().over(partition_by=group, order_by=ready.c.id)
    position = (sa.cast(nth, sa.Float) - 0.5) / sa.func.count().over(partition_by=group)
    return sa.select(*ready.c, position)


def _steps(
    groups: Sequence[tuple[datetime, int, str, int, int]],
    plan: Planner,
    hours: CallHours | None,
) -> list[dict]:
    """The next step of each group of rounds whose last attempt was the same step: the first
    planned step after it, even if the profile changed and that step is not in the ladder it
    gets now. A call, and an opening that announces one, is one row per hour its group's
    calls are spread over (`hours`)."""
    ladders: dict[tuple[datetime, int], Sequence[PlannedAttempt]] = {}  # the same in every wijk
    rows = []
    for opened_at, code, wijk, last_step, count in groups:
        group = WaitingGroup(opened_at, decode_profile(code), wijk, count)
        if (opened_at, code) not in ladders:
            ladders[opened_at, code] = plan(group)
        ladder = ladders[opened_at, code]
        step = next((p for p in ladder if p.step > last_step), None)
        if step is None:
            continue  # the ladder is done; the round ends when its time is up
        rows += [
            {
                "opened_at": opened_at,
                "profile": code,
                "wijk": wijk,
                "last_step": last_step,
                "step": step.step,
                "channel": step.channel.value,
                "purpose": step.purpose.value,
                "due_at": span.at if step.channel is Channel.CALL else step.due_at,
                "announces_at": span.at if step.announces else None,
                "low": span.low,
                "high": span.high,
            }
            for span in _spans(group, step, ladder, hours)
        ]
    return rows


def _spans(
    group: WaitingGroup,
    step: PlannedAttempt,
    ladder: Sequence[PlannedAttempt],
    hours: CallHours | None,
) -> Sequence[HourShare]:
    """The moments of the group's calls of this step, or of the first call an opening
    announces, each for its span of the group. Learned hours spread them; a resident's own
    part of the day, or fixed times, keep the planned one."""
    if step.channel is Channel.CALL:
        call = step
    elif step.announces is not None:
        call = next(p for p in ladder if p.channel is Channel.CALL)
    else:
        return [HourShare(step.due_at, 0.0, 1.0)]
    if hours is not None and group.profile.call_part is None:
        return hours(group, call)
    return [HourShare(call.due_at, 0.0, 1.0)]


def _kept_promise(now: datetime) -> sa.ColumnElement:
    """A step's due time; the round's first call comes when its opening message said, if
    that is still ahead and the resident has not chosen a part of the day since (their
    profile code carries no part: `store/contact_profile.py`)."""
    announced = (  # by a message that went out: one refused announced nothing
        sa.select(sa.func.max(Attempt.announces_call_at))
        .where(
            Attempt.round_id == WAITING.c.round_id,
            Attempt.state.in_([AttemptState.SENT, AttemptState.DELIVERED]),
        )
        .scalar_subquery()
    )
    called_before = sa.exists().where(
        Attempt.round_id == WAITING.c.round_id, Attempt.channel == Channel.CALL
    )
    return sa.case(
        (
            sa.and_(
                STEPS.c.channel == Channel.CALL.value,
                WAITING.c.profile < NO_CALL_PART_BELOW,
                announced > sa.literal(now, UTCDateTime()),
                ~called_before,
            ),
            announced,
        ),
        else_=STEPS.c.due_at,
    )


async def queue_next_steps(
    session: AsyncSession, now: datetime, plan: Planner, hours: CallHours | None = None
) -> int:
    """Queue the next ladder step of every round that is ready for one. The ladder moves on
    as attempts finish, so a reply, an answer or a wrong number is seen before the next step,
    and a pass that opens 100,000 rounds writes one attempt each, not the whole ladder."""
    ready = _rounds_ready_for_a_step(spread=hours is not None)
    async with scratch(session, WAITING, ready), scratch(session, STEPS):
        group = (WAITING.c.opened_at, WAITING.c.profile, WAITING.c.wijk, WAITING.c.last_step)
        # In order, so a seeded pass draws the same call times on either database.
        groups = await session.execute(
            sa.select(*group, sa.func.count()).group_by(*group).order_by(*group)
        )
        await insert_rows(session, STEPS, _steps(groups.all(), plan, hours))
        planned = sa.select(
            WAITING.c.follow_up_id,
            WAITING.c.round_id,
            STEPS.c.step,
            STEPS.c.channel,
            STEPS.c.purpose,
            sa.literal(AttemptState.QUEUED.value),
            _kept_promise(now),
            STEPS.c.announces_at,
            sa.literal(0),
            sa.literal(now, UTCDateTime()),
        ).join(
            STEPS,
            sa.and_(
                STEPS.c.profile == WAITING.c.profile,
                STEPS.c.opened_at == WAITING.c.opened_at,
                STEPS.c.wijk == WAITING.c.wijk,
                STEPS.c.last_step == WAITING.c.last_step,
                STEPS.c.low <= WAITING.c.position,
                STEPS.c.high > WAITING.c.position,
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
                    "announces_call_at",
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
    attempt made because of the reply (a callback) comes after it and stays. Choosing a
    part of the day to be called in is no such reply: the calls go on, at that time."""
    return await _cancel(
        session,
        now,
        "client_replied",
        sa.exists().where(
            FollowUp.id == Attempt.follow_up_id,
            SmsMessage.client_id == FollowUp.client_id,
            SmsMessage.direction == MessageDirection.INBOUND,
            SmsMessage.interpretation.is_distinct_from(ReplyKind.CALL_PART.value),
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
        # A retry says what the failed message said; a fallback, because the number proved
        # wrong, announces no call.
        "announces_call_at": (
            sa.select(Attempt.announces_call_at).where(Attempt.id == failed.id).scalar_subquery()
            if follow_on.channel is failed.channel
            else sa.literal(None, UTCDateTime())
        ),
    }
    still_open = sa.exists().where(FollowUp.id == failed.follow_up_id, FollowUp.state == OPEN)
    conditions = [still_open]
    if failed.purpose is not AttemptPurpose.AGENT_MESSAGE:  # what a person sent may go on
        conditions.append(~care_pending_for(failed.follow_up_id))
    await session.execute(
        insert_select_ignoring_conflicts(
            session, Attempt.__table__, list(values), sa.select(*values.values()).where(*conditions)
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
