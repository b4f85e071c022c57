"""`/wachtwoord`: every staff member changes their own password; their other sessions end."""

import aiohttp_jinja2
from aiohttp import web

from followup.app_keys import CLOCK, SESSIONS
from followup.dutch import sentence
from followup.rules.passwords import MIN_LENGTH
from followup.services.users import UserError, change_password
from followup.web.access import STAFF, allow, signed_in
from followup.web.cookies import SESSION

routes = web.RouteTableDef()
PASSWORD_PATH = "/wachtwoord"


def _page(request: web.Request, *, error: str | None = None, status: int = 200):
    context = {
        "agent": signed_in(request),  # the header shows who is signed in
        "error": error,
        "changed": "gewijzigd" in request.query,
        "min_length": MIN_LENGTH,
    }
    return aiohttp_jinja2.render_template("password.html", request, context, status=status)


@routes.get(PASSWORD_PATH)
@allow(*STAFF)
async def password_form(request: web.Request) -> web.Response:
    return _page(request)


@routes.post(PASSWORD_PATH)
@allow(*STAFF)
async def password_change(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    new = str(form.get("nieuw", ""))
    if new != str(form.get("nogmaals", "")):
        return _page(request, error="De twee nieuwe wachtwoorden zijn niet gelijk.", status=400)
    try:
        await change_password(
            request.app[SESSIONS],
            signed_in(request),
            str(form.get("huidig", "")),
            new,
            token=request.cookies[SESSION],
            now=request.app[CLOCK](),
        )
    except UserError as error:
        return _page(request, error=sentence(str(error)), status=400)
    raise web.HTTPSeeOther(PASSWORD_PATH + "?gewijzigd")
