"""The app as `followup serve` builds it, middleware and all, with the test's clock and
database and without the scheduler: nothing happens but what the test does. And requests
signed the way the carrier signs them, with the `twilio` library's own code."""

from datetime import datetime

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from twilio.request_validator import RequestValidator

from followup.app import create_app
from followup.settings import Settings

SECRET = "a-test-secret-key-that-signs-response-links"


class Clock:
    """The app's idea of now, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def app_for(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    secret: str = SECRET,
) -> web.Application:
    return create_app(
        settings, secret_key=secret, clock=clock, engine=sessions.kw["bind"], jobs=False
    )


def signature(token: str, url: str, params: dict[str, str]) -> str:
    return RequestValidator(token).compute_signature(url, params)
