"""Who may use which route: every handler declares it, and a middleware enforces it, denied
by default. `@allow(roles…)` for staff pages, `@public(why)` for what anyone may reach (a
webhook checks the carrier's signature, the response page its link). A route without a rule
is refused with 403, and a test lists every route of the app and fails on one without.

A handler behind `allow` reads its user with `signed_in(request)`.

Forms: a POST to a route with `allow`, or with `public(…, own_forms=True)` (sign-in and
sign-out), must come from this site: its `Origin`, when the browser sends one, must be that
of `FOLLOWUP_PUBLIC_URL` (behind a TLS proxy the request reaches us as http://, so the
request's own scheme and host prove nothing), and it must carry the browser's CSRF token
(`web/csrf.py`). So every such form in a template has

    <input type="hidden" name="csrf" value="{{ csrf }}">

and a script's fetch() sends the same value in the `X-CSRF-Token` header (read from a form's
hidden input). Without it the POST is refused with 403 and a page that says to reload.
The resident's response page is `public` without `own_forms`: its signed link is its key,
and Chromium sends it `Origin: null` (the page has no referrer)."""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import quote

import aiohttp_jinja2
from aiohttp import web
from yarl import URL

from followup.app_keys import CLOCK, SESSIONS, SETTINGS
from followup.rules.domain import Role
from followup.services.sign_in import SignedIn, signed_in_as
from followup.web.cookies import SESSION
from followup.web.csrf import has_valid_token

log = logging.getLogger(__name__)
SIGN_IN_PATH = "/inloggen"
STAFF = (Role.AGENT, Role.COORDINATOR, Role.ADMIN)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_USER = web.RequestKey("signed_in", SignedIn)

Handler = TypeVar("Handler", bound=Callable[..., Awaitable[web.StreamResponse]])


@dataclass(frozen=True, slots=True)
class Rule:
    roles: frozenset[Role]  # empty: anyone
    why_public: str | None = None
    own_forms: bool = True  # a POST must come from this site's own form (Origin, CSRF token)


def allow(*roles: Role) -> Callable[[Handler], Handler]:
    """Only signed-in users with one of these roles."""
    if not roles:
        raise ValueError("allow() needs at least one role; use public() for open routes")
    return _with_rule(Rule(frozenset(roles)))


def public(why: str, *, own_forms: bool = False) -> Callable[[Handler], Handler]:
    """Anyone; `why` says what protects it instead, for the reader. `own_forms`: a POST
    must still come from this site's own form (sign-in, sign-out)."""
    return _with_rule(Rule(frozenset(), why, own_forms))


def _with_rule(rule: Rule) -> Callable[[Handler], Handler]:
    def mark(handler: Handler) -> Handler:
        handler.__access__ = rule  # type: ignore[attr-defined]
        return handler

    return mark


def rule_of(route: web.AbstractRoute) -> Rule | None:
    """The route's rule; static files are public by nature."""
    if isinstance(route.resource, web.StaticResource):
        return Rule(frozenset(), "the app's own stylesheets and scripts", own_forms=False)
    return getattr(route.handler, "__access__", None)


def signed_in(request: web.Request) -> SignedIn:
    """The user the access check let through (only on routes with `allow`)."""
    return request[_USER]


def user_if_checked(request: web.Request) -> SignedIn | None:
    """The user the access check let through, on any route (None: the route needs no one)."""
    return request.get(_USER)


def refusal(request: web.Request, title: str, message: str) -> web.HTTPForbidden:
    """403 with a page that says what happened and what to do."""
    page = aiohttp_jinja2.render_string(
        "refused.html", request, {"title": title, "message": message}
    )
    return web.HTTPForbidden(text=page, content_type="text/html")


@web.middleware
async def enforce_access(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    route = request.match_info.route
    if request.match_info.http_exception is not None:  # 404, 405: nothing to protect
        return await handler(request)
    rule = rule_of(route)
    if rule is None:
        log.error("route without an access rule refused: %s", route.resource.canonical)
        raise web.HTTPForbidden(text="U heeft geen toegang tot deze pagina.")
    form = rule.own_forms and request.method not in SAFE_METHODS
    if form:
        _check_origin(request)
    if rule.roles:
        request[_USER] = await check_user(request, rule.roles)
    if form and not await has_valid_token(request):
        raise refusal(
            request,
            "Dit formulier is verlopen",
            "Er is niets opgeslagen: het formulier was te oud of kwam niet van deze website. "
            "Laad de pagina opnieuw en probeer het nog een keer.",
        )
    return await handler(request)


def _check_origin(request: web.Request) -> None:
    """A browser names the site a form came from; it must be ours as people reach it."""
    origin = request.headers.get("Origin")
    public_url = request.app[SETTINGS].public_url
    if origin is not None and origin != str(URL(public_url).origin()):
        raise refusal(
            request,
            "Dit formulier komt niet van deze website",
            f"Er is niets opgeslagen. Open de website via {public_url} en probeer het "
            "daar opnieuw.",
        )


def _signed_out_mid_form(request: web.Request) -> web.HTTPUnauthorized:
    """A form sent after the session ended: say so, and lead back to the page it came from
    (a form's own address would answer 405 after signing in)."""
    page = URL(request.headers.get("Referer", "/"))
    back = page.path_qs if page.origin() == URL(request.app[SETTINGS].public_url).origin() else "/"
    text = aiohttp_jinja2.render_string(
        "refused.html",
        request,
        {
            "title": "U bent niet meer ingelogd",
            "message": "Er is niets opgeslagen. Log opnieuw in, dan komt u terug op de pagina "
            "waar u was. Vul het formulier daarna nog een keer in.",
            "sign_in": f"{SIGN_IN_PATH}?terug={quote(back)}",
        },
    )
    return web.HTTPUnauthorized(text=text, content_type="text/html")


async def who_is_signed_in(request: web.Request) -> SignedIn | None:
    """Whoever the session cookie names, on a page anyone may open (None: nobody)."""
    token = request.cookies.get(SESSION)
    app = request.app
    return await signed_in_as(app[SESSIONS], token, app[CLOCK]()) if token else None


async def check_user(request: web.Request, roles: frozenset[Role]) -> SignedIn:
    """The signed-in user if their role is one of `roles`; a page that asks to sign in
    first, or 403, otherwise. Also for a page that stays open and asks again."""
    user = await who_is_signed_in(request)
    if user is None and request.method not in SAFE_METHODS:
        raise _signed_out_mid_form(request)
    if user is None:
        raise web.HTTPSeeOther(f"{SIGN_IN_PATH}?terug={quote(request.path_qs)}")
    if user.role not in roles:
        raise refusal(
            request,
            "U heeft geen toegang tot deze pagina",
            "Uw rol mag deze pagina niet gebruiken. Denkt u dat dit niet klopt? "
            "Vraag het de beheerder.",
        )
    return user
