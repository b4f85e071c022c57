"""The composition root of the web process: settings, clock, engine, dialer, scheduler and
routes wired together. The only place, with the CLI, that knows every part; tests build the
app here too, with their own clock and engine, so they run the middleware `serve` runs."""

import asyncio
import socket
import weakref
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from followup.app_keys import (
    CALENDAR,
    CLOCK,
    DEMO,
    DIALER,
    DISPATCH_SOON,
    ENGINE,
    HEARTBEAT,
    LIVE_STREAMS,
    METRICS,
    PHONE_PAGE,
    RULES,
    SECRET_KEY,
    SESSIONS,
    SETTINGS,
    STATUS_BATCHES,
)
from followup.clock import Clock, utc_now
from followup.dialing import dialer
from followup.dutch import percent, window_text
from followup.rules.attempt_failures import Recovery
from followup.rules.contact_calendar import contact_calendar
from followup.scheduling import scheduler_context
from followup.services.planning_settings import RulesCache
from followup.settings import Settings
from followup.store.engine import create_engine, session_factory
from followup.web import (
    access,
    account_pages,
    admin_pages,
    agent_pages,
    audit_pages,
    care_pages,
    care_words_pages,
    console_pages,
    csrf,
    dashboard_pages,
    errors,
    health,
    live_pages,
    pacing_pages,
    pages,
    planning_pages,
    request_ids,
    response_pages,
    security_headers,
    sign_in_pages,
    template_pages,
)
from followup.web.live_hub import live_hub
from followup.web.metrics import AppMetrics
from followup.web.metrics_endpoint import open_metrics
from webhooks import sms_routes, twilio_routes
from webhooks.spool import SPOOL, Spool, replay_forever
from webhooks.status_batches import StatusBatches

WEB = Path(__file__).with_name("web")


def create_app(
    settings: Settings,
    *,
    secret_key: str,
    demo: bool = False,
    clock: Clock = utc_now,
    engine: AsyncEngine | None = None,
    jobs: bool = True,
    dialing: bool = True,
    metrics_listener: socket.socket | None = None,
) -> web.Application:
    """`engine`: one the caller made and disposes (default: one made here from the settings).
    `jobs`: run the scheduler's planning and dispatch passes; without them nothing happens
    but what requests do. `dialing`: build the dialer (and the simulated carrier, if it runs
    in this process); `serve --web-only` does without both, a worker elsewhere sends.
    `metrics_listener`: /metrics is served there, not on the app's port
    (`FOLLOWUP_METRICS_PORT`)."""
    app = _runtime(settings, secret_key, demo, clock)
    app.cleanup_ctx.append(_database(engine))
    app.cleanup_ctx.append(live_hub)
    app.cleanup_ctx.append(_status_batches)
    app.cleanup_ctx.append(_spool)
    if dialing:
        app.cleanup_ctx.append(_dialer)
    else:
        app[PHONE_PAGE] = None
    if jobs:
        app.cleanup_ctx.append(scheduler_context)
    else:
        app[DISPATCH_SOON] = lambda: None
    _setup_middlewares(app)
    _setup_pages(app)
    for module in (twilio_routes, sms_routes, health):
        app.router.add_routes(module.routes)
    open_metrics(app, metrics_listener)
    return app


def create_worker(
    settings: Settings, *, secret_key: str, heartbeat: Path, clock: Clock = utc_now
) -> web.Application:
    """`followup worker`: the database, the dialer and the scheduler, with a heartbeat file
    and no routes; run by starting and cleaning up the application, with no server."""
    app = _runtime(settings, secret_key, False, clock)
    app[HEARTBEAT] = heartbeat
    for context in (_database(None), _dialer, scheduler_context):
        app.cleanup_ctx.append(context)
    return app


def _runtime(settings: Settings, secret_key: str, demo: bool, clock: Clock) -> web.Application:
    app = web.Application()
    app[SETTINGS] = settings
    app[SECRET_KEY] = secret_key
    app[DEMO] = demo
    app[CLOCK] = clock
    # In the demo the contact windows never close: one place, read by everything that plans
    # or sends.
    app[CALENDAR] = contact_calendar(settings.zone, demo=demo)
    return app


def _setup_middlewares(app: web.Application) -> None:
    """Outermost first: the request's id is on every line logged for it; every request is
    counted and logged in one line (`web/access_log.py`), also one another middleware
    answers early (a redirect); an unexpected error is logged without its message and
    counted as the 500 it is answered with; templates write the request's CSRF token (and
    the browser gets the key of a new one); the access check comes last. Every answer
    carries its id and the security headers."""
    app[METRICS] = metrics = AppMetrics()
    app.middlewares.extend(
        [
            request_ids.identify_request,
            metrics.count_requests,
            errors.hide_error_details,
            csrf.answering,
            access.enforce_access,
        ]
    )
    app.on_response_prepare.append(request_ids.answer_with_id)
    app.on_response_prepare.append(security_headers.add_security_headers)


def _setup_pages(app: web.Application) -> None:
    """Templates, static files and the pages people use."""
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(WEB / "templates"),
        autoescape=True,
        filters={"procent": percent, "contacttijden": window_text},
    )
    env.globals.update(csrf.TEMPLATE_GLOBALS)  # `{{ csrf }}` for every form (web/access.py)
    app.router.add_static("/static", WEB / "static")
    for module in (
        pages,
        response_pages,
        sign_in_pages,
        account_pages,
        admin_pages,
        audit_pages,
        agent_pages,
        console_pages,
        care_pages,
        care_words_pages,
        template_pages,
        pacing_pages,
        dashboard_pages,
        planning_pages,
    ):
        app.router.add_routes(module.routes)
    app[LIVE_STREAMS] = weakref.WeakSet()
    app.on_shutdown.append(live_pages.close_streams)


def _database(given: AsyncEngine | None):
    async def database(app: web.Application) -> AsyncIterator[None]:
        engine = given or create_engine(app[SETTINGS].database_url)
        app[ENGINE] = engine
        app[SESSIONS] = session_factory(engine)
        app[RULES] = RulesCache(app[SESSIONS])
        yield
        if given is None:
            await engine.dispose()

    return database


async def _status_batches(app: web.Application) -> AsyncIterator[None]:
    """Started after the database and stopped before it: batches still being stored, or
    keeping their connection, end before the engine goes."""

    async def recovery() -> Recovery:
        return Recovery(await app[RULES].get(), app[CALENDAR])

    app[STATUS_BATCHES] = batches = StatusBatches(app[ENGINE], app[CLOCK], recovery)
    yield
    await batches.stop()


async def _spool(app: web.Application) -> AsyncIterator[None]:
    """Callbacks kept while the database was unreachable are applied when it is back; also
    those a previous run of this process kept. Stopped before the status batches."""
    app[SPOOL] = Spool(app[SETTINGS].spool_dir)
    replayers = {
        sms_routes.KIND: sms_routes.replay,
        twilio_routes.SMS_STATUS: twilio_routes.replay_status,
        twilio_routes.CALL_STATUS: twilio_routes.replay_status,
    }
    task = asyncio.create_task(replay_forever(app, replayers))
    yield
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def _dialer(app: web.Application) -> AsyncIterator[None]:
    async with dialer(app[SETTINGS], app[SESSIONS], clock=app[CLOCK]) as dialing:
        app[DIALER] = dialing
        app[PHONE_PAGE] = f"{dialing.api_base}/sim/phone" if dialing.sim else None
        yield
