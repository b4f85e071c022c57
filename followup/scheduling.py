"""The clock of `followup serve`: APScheduler runs idempotent service calls in this process:
a planning pass every few minutes, a dispatch pass every few seconds. Jobs live in code and
memory (APScheduler 3's job stores cannot be shared between processes); on PostgreSQL only
the leader runs them, so the carrier's rate limits hold for the whole installation."""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC

import sqlalchemy as sa
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from dialer.worker import SendingStopped
from followup.app_keys import (
    CALENDAR,
    CLOCK,
    DIALER,
    DISPATCH_SOON,
    ENGINE,
    HEARTBEAT,
    RULES,
    SECRET_KEY,
    SESSIONS,
    SETTINGS,
)
from followup.clock import utc_now
from followup.dialing import outreach_for
from followup.heartbeat import BEAT_EVERY_SECONDS, beat
from followup.services.erasure import purge
from followup.services.planning import run_planning_pass
from followup.services.planning_settings import PlanningSettingsError, load_rules
from followup.store.leadership import Leadership
from followup.unexpected_errors import log_unexpected

log = logging.getLogger(__name__)
Job = Callable[[web.Application, Leadership], Awaitable[None]]
# Runs under way get this long to finish when the process stops; then they are cancelled
# (safe: an attempt cut off while sending is reconciled, never sent again).
STOP_GRACE_SECONDS = 10.0
PURGE_INTERVAL_SECONDS = 24 * 60 * 60


def run_soon(scheduler: AsyncIOScheduler, job_id: str) -> None:
    """Run the job now rather than at its next tick. When this process is not the leader,
    the leader's next tick does it."""
    scheduler.modify_job(job_id, next_run_time=utc_now())  # the scheduler's own time


async def plan_job(app: web.Application, leadership: Leadership) -> None:
    if not await leadership.is_leader():
        return
    sessions = app[SESSIONS]
    try:
        # Read afresh, not from the cache: a change a coordinator made applies at once.
        rules = await load_rules(sessions)
        result = await run_planning_pass(
            sessions, now=app[CLOCK](), rules=rules, calendar=app[CALENDAR]
        )
    except PlanningSettingsError as error:  # its text names the setting, never a resident
        log.error("planning pass: the planning settings cannot be used: %s", error)
        return
    except Exception as error:  # a failed pass is retried at the next tick; the process stays up
        log_unexpected(log, error, "in the planning pass")
        return
    log.info(
        "planning pass: %d follow-ups opened, %d rounds opened, %d attempts queued, "
        "%d follow-ups closed",
        result.follow_ups_opened,
        result.rounds_opened,
        result.attempts_queued,
        result.follow_ups_closed,
    )


async def dispatch_job(app: web.Application, leadership: Leadership) -> None:
    dispatcher = app[DIALER].dispatcher
    if dispatcher.stopped is not None or not await leadership.is_leader():
        return
    try:
        rules = await app[RULES].get()
        outreach = outreach_for(app[SETTINGS], rules, app[SECRET_KEY], app[CALENDAR])
        summary = await dispatcher.run_pass(outreach)
    except SendingStopped as stopped:  # logged once; sending resumes after a restart
        log.error("dispatch stopped: %s", stopped)
        return
    except Exception as error:  # a failed pass is retried at the next tick; the process stays up
        log_unexpected(log, error, "in the dispatch pass")
        return
    if summary.sent or summary.failed or summary.reconciled or summary.cancelled:
        log.info(
            "dispatch pass: %d sent, %d failed, %d cancelled, %d unsure, %d reconciled",
            summary.sent,
            summary.failed,
            summary.cancelled,
            summary.unsure,
            summary.reconciled,
        )


async def heartbeat_job(app: web.Application, leadership: Leadership) -> None:
    """In every process that has a heartbeat file, leader or not: the scheduler ticks and
    the database answers."""
    try:
        async with app[ENGINE].connect() as connection:
            await connection.execute(sa.text("SELECT 1"))
    except Exception:  # no beat is the report; the passes log why the database is away
        return
    beat(app[HEARTBEAT])


async def purge_job(app: web.Application, leadership: Leadership) -> None:
    """Retention: erase the residents past the configured period (docs/privacy.md)."""
    if not await leadership.is_leader():
        return
    try:
        result = await purge(
            app[SESSIONS],
            now=app[CLOCK](),
            months=app[SETTINGS].retention_months,
            actor="scheduler",
        )
    except Exception as error:  # retried at the next tick; the process stays up
        log_unexpected(log, error, "in the retention purge")
        return
    log.info("retention purge: %d residents erased, %d left", result.residents, result.left)


class RunningJobs:
    """The job runs under way. APScheduler's shutdown cancels them but cannot wait for them;
    the app must, or a cancelled pass would still be using the database it disposes next."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task] = set()
        self.stopping = False

    def tracked(self, job: Job) -> Job:
        async def run(app: web.Application, leadership: Leadership) -> None:
            task = asyncio.current_task()
            self.tasks.add(task)
            try:
                await job(app, leadership)
            except asyncio.CancelledError:
                if not self.stopping:
                    raise
                # Stopped on purpose: not an error for APScheduler to log.
            finally:
                self.tasks.discard(task)

        return run

    async def stop(self, scheduler: AsyncIOScheduler, grace: float = STOP_GRACE_SECONDS) -> None:
        scheduler.pause()  # no new runs; those under way may finish
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=grace)
        self.stopping = True
        scheduler.shutdown(wait=False)  # cancels the runs still under way
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def scheduler_context(app: web.Application) -> AsyncIterator[None]:
    """aiohttp cleanup context: start after the database and the dialer, stop before them."""
    settings = app[SETTINGS]
    leadership = Leadership(app[ENGINE])
    scheduler = AsyncIOScheduler(timezone=UTC)
    running = RunningJobs()
    jobs: tuple[tuple[str, Job, int], ...] = (
        ("plan", plan_job, settings.plan_interval_seconds),
        ("dispatch", dispatch_job, settings.dispatch_interval_seconds),
        ("purge", purge_job, PURGE_INTERVAL_SECONDS),
    )
    if HEARTBEAT in app:
        jobs += (("heartbeat", heartbeat_job, BEAT_EVERY_SECONDS),)
    for job_id, job, seconds in jobs:
        scheduler.add_job(
            running.tracked(job),
            IntervalTrigger(seconds=seconds),
            args=(app, leadership),
            id=job_id,
            coalesce=True,
            max_instances=1,
            next_run_time=utc_now(),
        )
    scheduler.start()
    app[DISPATCH_SOON] = lambda: run_soon(scheduler, "dispatch")
    yield
    await running.stop(scheduler)
    await leadership.release()
