"""Only the carrier may report: every request must carry Twilio's signature over the URL it
called and its parameters, checked with the `twilio` library's own validator.

The URL is rebuilt from `FOLLOWUP_PUBLIC_URL` plus the raw path and query as received, not
from the request's own host and scheme, so the check holds behind a proxy that terminates
TLS. A missing or wrong signature is refused before anything is read into the database.
"""

from aiohttp import web
from multidict import MultiDictProxy
from twilio.request_validator import RequestValidator

from followup.app_keys import SETTINGS

SIGNATURE_HEADER = "X-Twilio-Signature"


async def signed_form(request: web.Request) -> MultiDictProxy[str]:
    """The request's form parameters, once its signature has been checked; 403 otherwise,
    400 when the body is not a form."""
    settings = request.app[SETTINGS]
    if not request.content_type.startswith("application/x-www-form-urlencoded"):
        raise web.HTTPBadRequest(text="expected a form-encoded body")
    try:
        form = await request.post()
    except ValueError:
        raise web.HTTPBadRequest(text="malformed form body") from None
    url = settings.public_url + request.rel_url.raw_path_qs
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not signature or not RequestValidator(settings.twilio_auth_token).validate(
        url, form, signature
    ):
        raise web.HTTPForbidden(text="invalid signature")
    return form  # type: ignore[return-value]  # a urlencoded form holds strings only
