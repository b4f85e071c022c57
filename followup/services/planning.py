"""Use case: one planning pass. Closes rounds that ended, opens follow-ups that are due and
rounds that are next, queues the next step of each round's attempt ladder, and closes
follow-ups that cannot or may not be contacted. Idempotent: a second pass at the same `now`
changes nothing.
"""

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from random import Random

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.call_times import AnswerEstimates, CallTimes, first_month_counted
from followup.rules.contact_calendar import ContactCalendar
from followup.rules.ladder import plan_round
from followup.rules.planning_rules import PlanningRules
from followup.services.pacing import room_now
from followup.store import attempt_queue as queue
from followup.store import planning_queries as q
from followup.store.call_counts import answer_counts
from followup.store.follow_ups import close_with_outcome
from followup.store.new_follow_ups import open_due_follow_ups
from followup.store.unit_of_work import unit_of_work

# Two overlapping passes on PostgreSQL may deadlock on the same rows; the loser retries.
_RETRYABLE = {"40P01", "40001"}
ATTEMPTS = 3


@dataclass(slots=True)
class PlanResult:
    now: datetime
    dry_run: bool
    rounds_closed: int = 0
    follow_ups_opened: int = 0
    rounds_opened: int = 0
    attempts_queued: int = 0
    attempts_cancelled: int = 0
    follow_ups_closed: int = 0
    details: dict = field(default_factory=dict)

    def summary(self) -> dict:
        return {**asdict(self), "now": self.now.isoformat()}


async def run_planning_pass(
    sessions: async_sessionmaker[AsyncSession],
    *,
    now: datetime,
    rules: PlanningRules,
    calendar: ContactCalendar,
    dry_run: bool = False,
    rng: Random | None = None,
) -> PlanResult:
    """`rng` draws the learned call times (a fresh one by default; tests give a seeded one)."""
    tries = 1
    while True:
        try:
            return await _pass(sessions, now, rules, calendar, dry_run, rng or Random())
        except DBAPIError as error:
            if tries == ATTEMPTS or getattr(error.orig, "sqlstate", None) not in _RETRYABLE:
                raise
            tries += 1


async def _pass(
    sessions: async_sessionmaker[AsyncSession],
    now: datetime,
    rules: PlanningRules,
    calendar: ContactCalendar,
    dry_run: bool,
    rng: Random,
) -> PlanResult:
    result = PlanResult(now=now, dry_run=dry_run)
    round_length = timedelta(days=rules.round_days)
    async with unit_of_work(sessions) as uow:
        session = uow.session
        # Follow-ups already running: end rounds, then close or move on to the next one.
        result.rounds_closed = await q.close_expired_rounds(session, now)
        await q.schedule_next_rounds(
            session, now, rules.rounds, timedelta(days=rules.round_gap_days)
        )
        await q.record_ended_follow_ups(session, now, rules.rounds)
        await q.record_uncontactable(session, now)
        closed = await close_with_outcome(session, now)
        result.follow_ups_closed = closed.follow_ups
        result.rounds_opened = await q.open_rounds(session, now, round_length)
        # Follow-ups that are due now, straight into round 1 (or closed at once), as many as
        # this week's pacing leaves room for.
        today = calendar.local_date(now)
        room = await room_now(session, now, today, calendar.zone)
        opened = await open_due_follow_ups(session, now, today, round_length, room)
        result.follow_ups_opened = opened.follow_ups
        result.rounds_opened += opened.rounds
        result.follow_ups_closed += opened.closed
        result.attempts_cancelled = (
            closed.attempts_cancelled
            + await queue.cancel_attempts_of_closed_rounds(session, now)
            + await queue.cancel_attempts_after_replies(session, now)
        )
        result.attempts_queued = await queue.queue_next_steps(
            session,
            now,
            lambda group: plan_round(group.opened_at, group.profile, rules, calendar, now),
            await _call_hours(session, now, rules, calendar, rng),
        )
        if dry_run:
            result.details = await q.pass_details(session, now)
        else:
            await uow.commit()
    return result


async def _call_hours(
    session: AsyncSession,
    now: datetime,
    rules: PlanningRules,
    calendar: ContactCalendar,
    rng: Random,
) -> queue.CallHours | None:
    """With learned call times, where each group's calls go; with fixed ones, or in the demo
    (whose calls go at any hour), nowhere else."""
    if rules.call_times == "fixed" or calendar.always_open:
        return None
    first_month = first_month_counted(calendar.local_date(now))
    estimates = AnswerEstimates.from_rows(await answer_counts(session, first_month))
    times = CallTimes(estimates, rules.call_window, calendar, rng)
    return lambda group, step: times.hours_for(group.wijk, step.due_at, step.earliest, now)
