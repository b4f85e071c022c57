"""Signing in and out. The cookie is signed (`rules/sign_in.py`), HttpOnly,
SameSite=Lax (no other site can make a signed-in browser post to us) and Secure behind
HTTPS."""

import aiohttp_jinja2
from aiohttp import web

from followup.app_keys import CLOCK, SECRET_KEY, SESSIONS, SETTINGS
from followup.rules.sign_in import VALID_FOR, sign_in_token
from followup.services.sign_in import sign_in
from followup.web.access import COOKIE, SIGN_IN_PATH, public

routes = web.RouteTableDef()
WRONG = "Het e-mailadres of het wachtwoord klopt niet."


def _back_to(request: web.Request) -> str:
    """Where to go after signing in: a path on this site only, never another site."""
    back = request.query.get("terug", "/")
    return back if back.startswith("/") and not back.startswith("//") else "/"


@routes.get(SIGN_IN_PATH)
@public("the sign-in form itself")
@aiohttp_jinja2.template("sign_in.html")
async def sign_in_form(request: web.Request) -> dict:
    return {"error": None, "email": ""}


@routes.post(SIGN_IN_PATH)
@public("checks the password")
async def sign_in_post(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    email, password = str(form.get("email", "")), str(form.get("wachtwoord", ""))
    user = await sign_in(request.app[SESSIONS], email, password, request.app[CLOCK]())
    if user is None:
        context = {"error": WRONG, "email": email}
        return aiohttp_jinja2.render_template("sign_in.html", request, context, status=401)
    response = web.HTTPSeeOther(_back_to(request))
    response.set_cookie(
        COOKIE,
        sign_in_token(request.app[SECRET_KEY], user.id, request.app[CLOCK]()),
        max_age=int(VALID_FOR.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=request.app[SETTINGS].public_url.startswith("https://"),
        path="/",
    )
    raise response


@routes.post("/uitloggen")
@public("only ends the sign-in of whoever sends it")
async def sign_out(request: web.Request) -> web.StreamResponse:
    response = web.HTTPSeeOther(SIGN_IN_PATH)
    response.del_cookie(COOKIE, path="/")
    raise response
