"""People-facing pages. Thin: ask a service, render Dutch text."""

import aiohttp_jinja2
from aiohttp import web

from followup.app_keys import CLOCK, DEMO, PHONE_PAGE, RULES, SESSIONS, SETTINGS
from followup.rules.domain import ReportGrouping
from followup.services.overview import overview
from followup.services.reach_report import reach_report
from followup.web.access import public

routes = web.RouteTableDef()


@routes.get("/", name="home")
@public("what the service is, and the way in")
@aiohttp_jinja2.template("home.html")
async def home(request: web.Request) -> dict:
    app = request.app
    settings, sessions = app[SETTINGS], app[SESSIONS]
    today = settings.local_date(app[CLOCK]())
    return {
        "overview": await overview(sessions, today),
        "reach": await reach_report(sessions, ReportGrouping.WIJK, settings.zone),
        "demo": app[DEMO],
        "phone_url": app[PHONE_PAGE],
        "message_window": (await app[RULES].get()).message_window,
    }
