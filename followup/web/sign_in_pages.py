"""Signing in and out. The cookie holds a random session token (`services/sign_in.py` keeps
its hash); signing out ends the session on the server, so a copied cookie opens nothing.
Failed attempts are limited per account and per client address (`rules/sign_in_limits.py`)."""

import ipaddress

import aiohttp_jinja2
from aiohttp import web

from followup.app_keys import CLOCK, SESSIONS, SETTINGS
from followup.rules.sign_in import VALID_FOR, return_path
from followup.rules.sign_in_limits import WINDOW
from followup.services.sign_in import SignInLocked, sign_in, sign_out
from followup.web.access import SIGN_IN_PATH, public
from followup.web.cookies import SESSION, set_cookie

routes = web.RouteTableDef()
WRONG = "Het e-mailadres of het wachtwoord klopt niet."
LOCKED = (
    "Er is te vaak een verkeerd wachtwoord ingevuld. Wacht "
    f"{int(WINDOW.total_seconds() // 60)} minuten en probeer het dan opnieuw."
)


def client_address(request: web.Request) -> str:
    """The address the sign-in limits count per: the last one in X-Forwarded-For (the one
    our proxy added; earlier ones are whatever the client sent) when the proxy is trusted,
    else the connection's own."""
    if request.app[SETTINGS].trust_forwarded_for:
        hops = request.headers.get("X-Forwarded-For", "").split(",")
        try:
            return str(ipaddress.ip_address(hops[-1].strip()))
        except ValueError:
            pass  # no proxy in between after all
    return request.remote or "onbekend"


def _form(request: web.Request, error: str | None, email: str = "", status: int = 200):
    context = {"error": error, "email": email}
    return aiohttp_jinja2.render_template("sign_in.html", request, context, status=status)


@routes.get(SIGN_IN_PATH)
@public("the sign-in form itself")
async def sign_in_form(request: web.Request) -> web.Response:
    return _form(request, None)


@routes.post(SIGN_IN_PATH)
@public("checks the password", own_forms=True)
async def sign_in_post(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    email, password = str(form.get("email", "")), str(form.get("wachtwoord", ""))
    app = request.app
    try:
        new = await sign_in(app[SESSIONS], email, password, client_address(request), app[CLOCK]())
    except SignInLocked:
        return _form(request, LOCKED, email, status=429)
    if new is None:
        return _form(request, WRONG, email, status=401)
    response = web.HTTPSeeOther(return_path(request.query.get("terug", "/")))
    set_cookie(request, response, SESSION, new.token, int(VALID_FOR.total_seconds()))
    raise response


@routes.post("/uitloggen")
@public("only ends the session of whoever sends it", own_forms=True)
async def sign_out_post(request: web.Request) -> web.StreamResponse:
    if token := request.cookies.get(SESSION):
        await sign_out(request.app[SESSIONS], token, request.app[CLOCK]())
    response = web.HTTPSeeOther(SIGN_IN_PATH)
    response.del_cookie(SESSION, path="/")
    raise response
