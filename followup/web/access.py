"""Who may use which route: every handler declares it, and a middleware enforces it, denied
by default. `@allow(roles…)` for staff pages, `@public(why)` for what anyone may reach (a
webhook checks the carrier's signature, the response page its link). A route without a rule
is refused with 403, and a test lists every route of the app and fails on one without.

A handler behind `allow` reads its user with `signed_in(request)`."""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import quote

from aiohttp import web

from followup.app_keys import CLOCK, SECRET_KEY, SESSIONS
from followup.rules.domain import Role
from followup.rules.sign_in import signed_in_user
from followup.services.sign_in import SignedIn, signed_in_as

log = logging.getLogger(__name__)
COOKIE = "followup_sessie"
SIGN_IN_PATH = "/inloggen"
STAFF = (Role.AGENT, Role.COORDINATOR, Role.ADMIN)
_USER = web.RequestKey("signed_in", SignedIn)

Handler = TypeVar("Handler", bound=Callable[..., Awaitable[web.StreamResponse]])


@dataclass(frozen=True, slots=True)
class Rule:
    roles: frozenset[Role]  # empty: anyone
    why_public: str | None = None


def allow(*roles: Role) -> Callable[[Handler], Handler]:
    """Only signed-in users with one of these roles."""
    if not roles:
        raise ValueError("allow() needs at least one role; use public() for open routes")
    return _with_rule(Rule(frozenset(roles)))


def public(why: str) -> Callable[[Handler], Handler]:
    """Anyone; `why` says what protects it instead, for the reader."""
    return _with_rule(Rule(frozenset(), why))


def _with_rule(rule: Rule) -> Callable[[Handler], Handler]:
    def mark(handler: Handler) -> Handler:
        handler.__access__ = rule  # type: ignore[attr-defined]
        return handler

    return mark


def rule_of(route: web.AbstractRoute) -> Rule | None:
    """The route's rule; static files are public by nature."""
    if isinstance(route.resource, web.StaticResource):
        return Rule(frozenset(), "the app's own stylesheets and scripts")
    return getattr(route.handler, "__access__", None)


def signed_in(request: web.Request) -> SignedIn:
    """The user the access check let through (only on routes with `allow`)."""
    return request[_USER]


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
    if rule.roles:
        # A signed-in browser's form from another site is refused. The public routes carry
        # their own key (a signature, a link), which another site does not have.
        origin = request.headers.get("Origin")
        if request.method == "POST" and origin and origin != _own_origin(request):
            raise web.HTTPForbidden(text="Dit formulier komt niet van deze website.")
        request[_USER] = await check_user(request, rule.roles)
    return await handler(request)


async def check_user(request: web.Request, roles: frozenset[Role]) -> SignedIn:
    """The signed-in user if their role is one of `roles`; a page that asks to sign in
    first, or 403, otherwise. Also for a page that stays open and asks again."""
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
