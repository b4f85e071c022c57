"""Typed keys for what the composition root puts on the aiohttp application, shared by the
people-facing pages and the carrier-facing webhooks."""

from collections.abc import Callable
from datetime import datetime

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.services.planning_settings import RulesCache
from followup.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
SESSIONS = web.AppKey("sessions", async_sessionmaker[AsyncSession])
DEMO = web.AppKey("demo", bool)
SECRET_KEY = web.AppKey("secret_key", str)
RULES = web.AppKey("rules", RulesCache)
# The time now, in UTC: the wall clock, or a clock a test moves.
CLOCK = web.AppKey("clock", Callable[[], datetime])
