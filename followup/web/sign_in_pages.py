"""Signing in and out, and the check every page with residents' data makes first: who is
signed in, and may their role see it. The cookie is signed (`rules/sign_in.py`), HttpOnly,
SameSite=Lax (no other site can make a signed-in browser post to us) and Secure behind
HTTPS."""

from urllib.parse import quote

import aiohttp_jinja2
from aiohttp import web

from followup.app_keys import CLOCK, SECRET_KEY, SESSIONS, SETTINGS
from followup.rules.domain import Role
from followup.rules.sign_in import VALID_FOR, sign_in_token, signed_in_user
from followup.services.sign_in import SignedIn, sign_in, signed_in_as

routes = web.RouteTableDef()
COOKIE = "followup_sessie"
SIGN_IN_PATH = "/inloggen"
WRONG = "Het e-mailadres of het wachtwoord klopt niet."


async def require(request: web.Request, *roles: Role) -> SignedIn:
    """The signed-in user if their role is one of `roles`; a page that asks to sign in
    first, or 403, otherwise. A form posted from another site is refused too."""
    origin = request.headers.get("Origin")
    if request.method == "POST" and origin and origin != _own_origin(request):
        raise web.HTTPForbidden(text="Dit formulier komt niet van deze website.")
    token = request.cookies.get(COOKIE, "")
    user_id = signed_in_user(request.app[SECRET_KEY], token, request.app[CLOCK]())
    user = await signed_in_as(request.app[SESSIONS], user_id) if user_id else None
    if user is None:
        raise web.HTTPSeeOther(f"{SIGN_IN_PATH}?terug={quote(request.path_qs)}")
    if user.role not in roles:
        raise web.HTTPForbidden(text="U heeft geen toegang tot deze pagina.")
    return user


def _own_origin(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def _back_to(request: web.Request) -> str:
    """Where to go after signing in: a path on this site only, never another site."""
    back = request.query.get("terug", "/")
    return back if back.startswith("/") and not back.startswith("//") else "/"


@routes.get(SIGN_IN_PATH)
@aiohttp_jinja2.template("sign_in.html")
async def sign_in_form(request: web.Request) -> dict:
    return {"error": None, "email": ""}


@routes.post(SIGN_IN_PATH)
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
async def sign_out(request: web.Request) -> web.StreamResponse:
    response = web.HTTPSeeOther(SIGN_IN_PATH)
    response.del_cookie(COOKIE, path="/")
    raise response
