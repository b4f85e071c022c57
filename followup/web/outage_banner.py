"""The banner on the coordinators' pages while the carrier or the mail server is failing:
read from the database, where the dialer (perhaps in another process) keeps it."""

from aiohttp import web

from followup.app_keys import CLOCK, SESSIONS, SETTINGS
from followup.rules.outages import outage_text
from followup.services.channel_health import outages


async def outage_lines(app: web.Application) -> list[str]:
    zone, now = app[SETTINGS].zone, app[CLOCK]()
    today = now.astimezone(zone).date()
    return [
        outage_text(o.channel, o.failing_since.astimezone(zone), o.waiting, today)
        for o in await outages(app[SESSIONS], now)
    ]
