"""People-facing pages. Thin: ask a service, render Dutch text."""

import aiohttp_jinja2
from aiohttp import web

from followup.app_keys import CLOCK, DEMO, RULES, SESSIONS, SETTINGS
from followup.dialing import DIALER
from followup.services.overview import overview
from followup.services.reach_report import ReportGrouping, reach_report

routes = web.RouteTableDef()


@routes.get("/", name="home")
@aiohttp_jinja2.template("home.html")
async def home(request: web.Request) -> dict:
    app = request.app
    settings, sessions = app[SETTINGS], app[SESSIONS]
    today = settings.local_date(app[CLOCK]())
    dialing = app[DIALER]
    return {
        "overview": await overview(sessions, today),
        "reach": await reach_report(sessions, ReportGrouping.WIJK, settings.zone),
        "demo": app[DEMO],
        # The simulated carrier's page that plays a resident's phone, when it runs here.
        "phone_url": f"{dialing.api_base}/sim/phone" if dialing.sim else None,
        "message_window": (await app[RULES].get()).message_window,
    }
