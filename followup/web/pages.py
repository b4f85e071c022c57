"""People-facing pages. Thin: ask a service, render Dutch text."""

from datetime import UTC, datetime

import aiohttp_jinja2
from aiohttp import web

from followup.app_keys import DEMO, SESSIONS, SETTINGS
from followup.services.overview import overview
from followup.services.reach_report import ReportGrouping, reach_report

routes = web.RouteTableDef()


@routes.get("/", name="home")
@aiohttp_jinja2.template("home.html")
async def home(request: web.Request) -> dict:
    app = request.app
    settings, sessions = app[SETTINGS], app[SESSIONS]
    today = settings.local_date(datetime.now(UTC))
    return {
        "overview": await overview(sessions, today),
        "reach": await reach_report(sessions, ReportGrouping.WIJK, settings.zone),
        "demo": app[DEMO],
    }
