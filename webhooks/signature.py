"""Only the carrier may report: every request must carry Twilio's signature over the URL it
called and its parameters, checked with the `twilio` library's own validator.

The URL is rebuilt from `FOLLOWUP_PUBLIC_URL` plus the raw path and query as received, not
from the request's own host and scheme, so the check holds behind a proxy that terminates
TLS. A missing or wrong signature is refused before anything is read into the database.

Twilio signs a form body by its parameters, and a JSON body by a `bodySHA256` query
parameter (the body's SHA-256) that the URL signature covers. Bodies are read with a limit
of their own: Twilio's callbacks are a few kB, and nobody else may make us hold more.
"""

import hmac
import json
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from multidict import MultiDict, MultiDictProxy
from twilio.request_validator import RequestValidator

from followup.app_keys import SETTINGS

SIGNATURE_HEADER = "X-Twilio-Signature"
BODY_HASH_PARAMETER = "bodySHA256"
MAX_BODY_BYTES = 64 * 1024
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


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


async def _text(request: web.Request, content_type: str) -> str:
    if request.content_type != content_type:
        raise _bad_request(f"expected {content_type}")
    body = await _bounded_body(request)
    try:
        return body.decode(request.charset or "utf-8")
    except (UnicodeDecodeError, LookupError):
        raise _bad_request("body is not valid text") from None


def _check(request: web.Request, params: Any) -> None:
    settings = request.app[SETTINGS]
    url = settings.public_url + request.rel_url.raw_path_qs
    signature = request.headers.get(SIGNATURE_HEADER, "")
    validator = RequestValidator(settings.twilio_auth_token)
    # A form signed over exactly this URL, the usual case, takes one HMAC; `validate` also
    # tries the URL with and without its port, as Twilio's own signing varies there.
    exact = not isinstance(params, str) and hmac.compare_digest(
        validator.compute_signature(url, params).encode(), signature.encode()
    )
    if not signature or not (exact or validator.validate(url, params, signature)):
        raise web.HTTPForbidden(text="invalid signature")


async def signed_form(request: web.Request) -> MultiDictProxy[str]:
    """The request's form parameters, once its signature has been checked; 403 otherwise,
    400 when the body is not a form or too large."""
    text = await _text(request, FORM)
    try:
        # As aiohttp's own `request.post()` parses a urlencoded body.
        pairs = parse_qsl(text.rstrip(), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise _bad_request("malformed form body") from None
    form = MultiDictProxy(MultiDict(pairs))
    _check(request, form)
    return form


async def signed_json(request: web.Request) -> dict[str, Any]:
    """The request's JSON object, once the signature over its URL and the body's hash in
    that URL have been checked; 403 otherwise, 400 when the body is not a JSON object or
    too large."""
    text = await _text(request, JSON)
    if not request.query.get(BODY_HASH_PARAMETER):
        # Without it nothing signs the body (and the validator cannot take a string).
        raise web.HTTPForbidden(text="invalid signature")
    _check(request, text)
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise _bad_request("malformed JSON body") from None
    if not isinstance(document, dict):
        raise _bad_request("expected a JSON object")
    return document
