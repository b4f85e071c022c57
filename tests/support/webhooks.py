"""This service's carrier-facing webhooks on their own (with the pages, if asked), and
requests signed the way the carrier signs them, with the `twilio` library's own code."""

from datetime import datetime

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from twilio.request_validator import RequestValidator

from followup.app import setup_pages
from followup.app_keys import CLOCK, RULES, SECRET_KEY, SESSIONS, SETTINGS
from followup.services.planning_settings import RulesCache
from followup.settings import Settings
from webhooks import sms_routes, twilio_routes
from webhooks.status_batches import status_batches


class Clock:
    """The webhooks' idea of now, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def webhook_app(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> web.Application:
    app = web.Application()
    app[CLOCK] = clock
    app[SETTINGS] = settings
    app[SESSIONS] = sessions
    app[RULES] = RulesCache(sessions, ttl=0)
    app.router.add_routes(twilio_routes.routes)
    app.router.add_routes(sms_routes.routes)
    app.cleanup_ctx.append(status_batches)
    return app


def people_app(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock, secret: str
) -> web.Application:
    """The webhooks and the pages people use, without the dialer and the scheduler: nothing
    happens but what the test does."""
    app = webhook_app(settings, sessions, clock)
    app[SECRET_KEY] = secret
    setup_pages(app)
    return app


def signature(token: str, url: str, params: dict[str, str]) -> str:
    return RequestValidator(token).compute_signature(url, params)
