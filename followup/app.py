"""Composition root for the web process: settings, engine and routes wired together."""

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from dialer.worker import utc_now
from followup.app_keys import CLOCK, DEMO, RULES, SECRET_KEY, SESSIONS, SETTINGS
from followup.dialing import DIALER, dialer
from followup.dutch import percent, window_text
from followup.scheduling import scheduler_context
from followup.services.planning_settings import RulesCache
from followup.settings import Settings
from followup.store.engine import create_engine, session_factory
from followup.web import agent_pages, health, pages, response_pages, sign_in_pages
from webhooks import sms_routes, twilio_routes
from webhooks.status_batches import status_batches

WEB = Path(__file__).with_name("web")


def create_app(settings: Settings, *, secret_key: str, demo: bool = False) -> web.Application:
    app = web.Application()
    app[SETTINGS] = settings
    app[SECRET_KEY] = secret_key
    app[DEMO] = demo
    app[CLOCK] = utc_now
    app.cleanup_ctx.append(_database)
    app.cleanup_ctx.append(status_batches)
    app.cleanup_ctx.append(_dialer)
    app.cleanup_ctx.append(scheduler_context)
    setup_pages(app)
    app.router.add_routes(twilio_routes.routes)
    app.router.add_routes(sms_routes.routes)
    health.setup(app)  # /healthz, /metrics and the request metrics middleware
    return app


def setup_pages(app: web.Application) -> None:
    """Templates, static files and the pages people use."""
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(WEB / "templates"),
        autoescape=True,
        filters={"procent": percent, "contacttijden": window_text},
    )
    app.router.add_static("/static", WEB / "static")
    app.router.add_routes(pages.routes)
    app.router.add_routes(response_pages.routes)
    app.router.add_routes(sign_in_pages.routes)
    agent_pages.setup(app)


async def _database(app: web.Application) -> AsyncIterator[None]:
    engine = create_engine(app[SETTINGS].database_url)
    app[SESSIONS] = session_factory(engine)
    app[RULES] = RulesCache(app[SESSIONS])
    yield
    await engine.dispose()


async def _dialer(app: web.Application) -> AsyncIterator[None]:
    async with dialer(app[SETTINGS], app[SESSIONS]) as dialing:
        app[DIALER] = dialing
        yield
