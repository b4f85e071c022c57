"""Stopping a process with a scheduler (`serve`, `worker`): a pass under way may finish;
one that outlasts the grace period is cancelled, quietly, and no new pass starts."""

import asyncio
from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from followup.clock import utc_now
from followup.scheduling import RunningJobs


def started_scheduler(running: RunningJobs, job) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        running.tracked(job),
        IntervalTrigger(seconds=3600),
        args=(None, None),  # the app and the leadership: these jobs use neither
        max_instances=1,
        next_run_time=utc_now(),
    )
    scheduler.start()
    return scheduler


async def test_a_pass_under_way_finishes_before_the_process_stops():
    started, release, finished = asyncio.Event(), asyncio.Event(), []

    async def job(app, leadership) -> None:
        started.set()
        await release.wait()
        finished.append("pass")

    running = RunningJobs()
    scheduler = started_scheduler(running, job)
    await started.wait()
    stopping = asyncio.create_task(running.stop(scheduler, grace=3600))
    for _ in range(5):
        await asyncio.sleep(0)
    assert not stopping.done()  # waiting for the pass, not cancelling it
    release.set()
    await stopping
    assert finished == ["pass"]
    assert not scheduler.running


async def test_a_pass_that_outlasts_the_grace_period_is_cancelled():
    started, cancelled = asyncio.Event(), []

    async def job(app, leadership) -> None:
        started.set()
        try:
            await asyncio.Event().wait()  # never ends by itself
        except asyncio.CancelledError:
            cancelled.append("pass")
            raise

    running = RunningJobs()
    scheduler = started_scheduler(running, job)
    await started.wait()
    await running.stop(scheduler, grace=0.01)
    assert cancelled == ["pass"]
    assert not running.tasks
