"""Only the carrier may report: every request must carry Twilio's signature over the URL it
called and its form parameters.

The URL is rebuilt from `FOLLOWUP_PUBLIC_URL` plus the raw path and query as received, not
from the request's own host and scheme, so the check holds behind a proxy that terminates
TLS. A missing or wrong signature is refused before anything is read into the database.
Bodies are read with a limit of their own: Twilio's callbacks are a few kB, and nobody else
may make us hold more.
"""

import base64
import hashlib
import hmac
from urllib.parse import parse_qsl, urlsplit

from aiohttp import web
from multidict import MultiDict, MultiDictProxy
from twilio.request_validator import add_port, remove_port

from followup.app_keys import SETTINGS

SIGNATURE_HEADER = "X-Twilio-Signature"
MAX_BODY_BYTES = 64 * 1024
FORM = "application/x-www-form-urlencoded"


def _bad_request(reason: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=reason)


async def _bounded_body(request: web.Request) -> bytes:
    """The whole body, or 400 as soon as it is known to pass the limit: from its declared
    length before a byte is read, else (chunked) while reading."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise _too_large()
    body = bytearray()
    while chunk := await request.content.readany():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise _too_large()
    return bytes(body)


def _too_large() -> web.HTTPBadRequest:
    refusal = _bad_request(f"body larger than {MAX_BODY_BYTES} bytes")
    refusal.force_close()  # no reading the rest of it to keep the connection
    return refusal


def _signed_parameters(pairs: list[tuple[str, str]]) -> str:
    """Every parameter's name and value, sorted by name and then value, as Twilio signs
    them. Each one sent counts, one sent twice twice: the `twilio` library's own validator
    counts it once, so a parameter could be repeated without its signature noticing."""
    return "".join(name + value for name, value in sorted(pairs))


def _signature(token: bytes, url: str, parameters: str) -> bytes:
    """Twilio's signature: HMAC-SHA1 over the URL and the parameters, in base64."""
    return base64.b64encode(hmac.digest(token, (url + parameters).encode(), hashlib.sha1))


def _check(request: web.Request, pairs: list[tuple[str, str]]) -> None:
    settings = request.app[SETTINGS]
    header = request.headers.get(SIGNATURE_HEADER, "")
    if not header or not header.isascii():  # base64: anything else is no signature of ours
        raise web.HTTPForbidden(text="invalid signature")
    given = header.encode()
    url = settings.public_url + request.rel_url.raw_path_qs
    token, parameters = settings.twilio_auth_token.encode(), _signed_parameters(pairs)

    def signs(signed_url: str) -> bool:
        return hmac.compare_digest(_signature(token, signed_url, parameters), given)

    # The URL as configured is the usual case; Twilio signs some with their port, some
    # without, so those are tried only when it fails.
    if not (signs(url) or signs(add_port(urlsplit(url))) or signs(remove_port(urlsplit(url)))):
        raise web.HTTPForbidden(text="invalid signature")


async def signed_form(request: web.Request) -> MultiDictProxy[str]:
    """The request's form parameters, once its signature has been checked; 403 otherwise,
    400 when the body is not a form or too large."""
    if request.content_type != FORM:
        raise _bad_request(f"expected {FORM}")
    body = await _bounded_body(request)
    try:
        # As aiohttp's own `request.post()` parses a urlencoded body.
        pairs = parse_qsl(
            body.decode(request.charset or "utf-8").rstrip(),
            keep_blank_values=True,
            errors="strict",
        )
    except (UnicodeDecodeError, LookupError, ValueError):
        raise _bad_request("malformed form body") from None
    _check(request, pairs)
    return MultiDictProxy(MultiDict(pairs))
