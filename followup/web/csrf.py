"""CSRF tokens: a POST from a staff form, the sign-in form or the sign-out button must carry
one, so another site cannot make a signed-in browser send it.

The token is an HMAC (`rules/signing.py`) over the browser's session token, or, before
signing in, over a random key in a cookie of its own, made the first time a page writes a
token. Another site can neither read these cookies nor compute the token, and a token is
worth nothing in another browser, or once its user signed in or out.

Templates get it as `{{ csrf }}` (see `access.py` for the convention): a global of the
template environment that writes the token of the request being answered (aiohttp-jinja2's
context processors would store their context under a plain-string request key, which
aiohttp warns about). It is made only when a template writes it, so a page without a form
sets no cookie."""

import secrets
from collections.abc import Awaitable, Callable
from contextvars import ContextVar

from aiohttp import web

from followup.app_keys import SECRET_KEY
from followup.rules.signing import mac, mac_matches
from followup.web.cookies import FORM_KEY, SESSION, set_cookie

FIELD = "csrf"
HEADER = "X-CSRF-Token"
PURPOSE = "formulier"
_NEW_KEY = web.RequestKey("new_form_key", str)
_ANSWERING: ContextVar[web.Request] = ContextVar("answering")


def _key(request: web.Request) -> str | None:
    return request.cookies.get(SESSION) or request.cookies.get(FORM_KEY)


def csrf_token(request: web.Request) -> str:
    key = _key(request) or request.get(_NEW_KEY)
    if key is None:
        key = request[_NEW_KEY] = secrets.token_urlsafe(32)
    return mac(request.app[SECRET_KEY], PURPOSE, key)


class _WhenWritten:
    """`{{ csrf }}`: the token of the request being answered, made when written."""

    def __str__(self) -> str:
        return csrf_token(_ANSWERING.get())

    def __html__(self) -> str:  # URL-safe base64: nothing to escape
        return str(self)


TEMPLATE_GLOBALS = {"csrf": _WhenWritten()}


@web.middleware
async def answering(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Templates rendered while answering this request write its token; the browser keeps
    the key a new token was made from."""
    answering_now = _ANSWERING.set(request)
    try:
        response = await handler(request)
    finally:
        _ANSWERING.reset(answering_now)
    if (key := request.get(_NEW_KEY)) is not None and not response.prepared:
        set_cookie(request, response, FORM_KEY, key, max_age=None)
    return response


async def has_valid_token(request: web.Request) -> bool:
    """The header, or else the form field, holds this browser's token."""
    given = request.headers.get(HEADER)
    if given is None:
        given = str((await request.post()).get(FIELD, ""))
    key = _key(request)
    return key is not None and mac_matches(request.app[SECRET_KEY], PURPOSE, key, given)
