"""Typed keys for what the composition root (`followup.app`) puts on the aiohttp application,
for the people-facing pages, the carrier-facing webhooks and the scheduler to read."""

import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from followup.clock import Clock
from followup.rules.contact_calendar import ContactCalendar
from followup.services.planning_settings import RulesCache
from followup.settings import Settings

if TYPE_CHECKING:  # types of the edges and the composition: this module imports neither
    from followup.dialing import Dialer
    from followup.web.live_hub import LiveHub
    from followup.web.metrics import AppMetrics
    from webhooks.status_batches import StatusBatches

SETTINGS = web.AppKey("settings", Settings)
SECRET_KEY = web.AppKey("secret_key", str)
DEMO = web.AppKey("demo", bool)
CLOCK = web.AppKey("clock", Clock)  # the time now, in UTC: the wall clock, or a test's
CALENDAR = web.AppKey("calendar", ContactCalendar)
ENGINE = web.AppKey("engine", AsyncEngine)
SESSIONS = web.AppKey("sessions", async_sessionmaker[AsyncSession])
RULES = web.AppKey("rules", RulesCache)
STATUS_BATCHES: web.AppKey["StatusBatches"] = web.AppKey("status_batches")
METRICS: web.AppKey["AppMetrics"] = web.AppKey("metrics")
LIVE_STREAMS = web.AppKey("live_streams", weakref.WeakSet)  # open event streams of pages
# The one reader of this process that looks at the database for all open live pages.
LIVE_HUB: web.AppKey["LiveHub"] = web.AppKey("live_hub")
# Run the dispatcher now rather than at its next tick (an agent took a call and waits to
# be rung); does nothing in a process that runs no scheduler.
DISPATCH_SOON = web.AppKey("dispatch_soon", Callable[[], None])
# The simulated carrier's page that plays a resident's phone, when it runs in this process.
PHONE_PAGE: web.AppKey[str | None] = web.AppKey("phone_page")
DIALER: web.AppKey["Dialer"] = web.AppKey("dialer")
# The file `followup worker` renews while its scheduler runs (followup/heartbeat.py).
HEARTBEAT = web.AppKey("heartbeat", Path)
