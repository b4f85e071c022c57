"""Typed keys for what the composition root puts on the aiohttp application."""

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
SESSIONS = web.AppKey("sessions", async_sessionmaker[AsyncSession])
DEMO = web.AppKey("demo", bool)
SECRET_KEY = web.AppKey("secret_key", str)
