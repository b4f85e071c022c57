"""The clock of `followup serve`: APScheduler runs idempotent service calls in this process.
Jobs live in code and memory (APScheduler 3's job stores cannot be shared between processes);
on PostgreSQL only the leader runs them."""

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from followup.rules.contact_calendar import ContactCalendar
from followup.services.planning import run_planning_pass
from followup.services.planning_settings import load_rules
from followup.store.leadership import Leadership
from followup.web.keys import SESSIONS, SETTINGS

log = logging.getLogger(__name__)
SCHEDULER = web.AppKey("scheduler", AsyncIOScheduler)


async def plan_job(app: web.Application, leadership: Leadership) -> None:
    if not await leadership.is_leader():
        return
    sessions, settings = app[SESSIONS], app[SETTINGS]
    try:
        result = await run_planning_pass(
            sessions,
            now=datetime.now(UTC),
            rules=await load_rules(sessions),
            calendar=ContactCalendar(settings.zone),
        )
    except Exception:  # a failed pass is retried at the next tick; the process stays up
        log.exception("planning pass failed")
        return
    log.info(
        "planning pass: %d follow-ups opened, %d rounds opened, %d attempts queued, "
        "%d follow-ups closed",
        result.follow_ups_opened,
        result.rounds_opened,
        result.attempts_queued,
        result.follow_ups_closed,
    )


async def scheduler_context(app: web.Application) -> AsyncIterator[None]:
    """aiohttp cleanup context: start after the database, stop before it is disposed."""
    settings = app[SETTINGS]
    leadership = Leadership(app[SESSIONS].kw["bind"])
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        plan_job,
        IntervalTrigger(seconds=settings.plan_interval_seconds),
        args=(app, leadership),
        id="plan",
        coalesce=True,
        max_instances=1,
        next_run_time=datetime.now(UTC),
    )
    scheduler.start()
    app[SCHEDULER] = scheduler
    yield
    scheduler.shutdown(wait=False)
    await leadership.release()
