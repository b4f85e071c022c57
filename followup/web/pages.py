"""People-facing pages. Thin: ask a service, render Dutch text."""

import aiohttp_jinja2
from aiohttp import web

from followup.app_keys import CALENDAR, CLOCK, DEMO, PHONE_PAGE, RULES, SESSIONS, SETTINGS
from followup.rules.domain import ReportGrouping
from followup.services.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from followup.services.overview import overview
from followup.services.reach_report import reach_report
from followup.web.access import public, who_is_signed_in

routes = web.RouteTableDef()


@routes.get("/", name="home")
@public("what the service is, and the way in")
@aiohttp_jinja2.template("home.html")
async def home(request: web.Request) -> dict:
    app = request.app
    settings, sessions = app[SETTINGS], app[SESSIONS]
    today = settings.local_date(app[CLOCK]())
    # Figures about residents only for staff: a wijk of one resident would give away their
    # outcome to anyone.
    staff = await who_is_signed_in(request)
    return {
        "agent": staff,
        "overview": await overview(sessions, today),
        "reach": await reach_report(sessions, ReportGrouping.WIJK, settings.zone)
        if staff
        else None,
        "demo": app[DEMO],
        "phone_url": app[PHONE_PAGE],
        # None: the windows never close (the demo's calendar).
        "message_window": None
        if app[CALENDAR].always_open
        else (await app[RULES].get()).message_window,
        # Known passwords, shown in the demo only: its accounts exist in no other database.
        "demo_accounts": DEMO_ACCOUNTS if app[DEMO] else (),
        "demo_password": DEMO_PASSWORD,
    }
