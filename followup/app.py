"""Composition root for the web process: settings, engine and routes wired together."""

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from followup.dutch import percent
from followup.scheduling import scheduler_context
from followup.settings import Settings
from followup.store.engine import create_engine, session_factory
from followup.web import pages
from followup.web.keys import DEMO, SECRET_KEY, SESSIONS, SETTINGS

WEB = Path(__file__).with_name("web")


def create_app(settings: Settings, *, secret_key: str, demo: bool = False) -> web.Application:
    app = web.Application()
    app[SETTINGS] = settings
    app[SECRET_KEY] = secret_key
    app[DEMO] = demo
    app.cleanup_ctx.append(_database)
    app.cleanup_ctx.append(scheduler_context)
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(WEB / "templates"),
        autoescape=True,
        filters={"procent": percent},
    )
    app.router.add_static("/static", WEB / "static")
    app.router.add_routes(pages.routes)
    return app


async def _database(app: web.Application) -> AsyncIterator[None]:
    engine = create_engine(app[SETTINGS].database_url)
    app[SESSIONS] = session_factory(engine)
    yield
    await engine.dispose()
