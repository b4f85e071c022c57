"""The `twilio` library's own async HTTP client, made fit for sending to residents.

- It talks to the configured API base: Twilio itself, or the simulated carrier, which serves
  both Twilio hosts the service uses (api.twilio.com and lookups.twilio.com) on one address.
- It never retries by itself: a POST repeated after a timeout could text a resident twice.
  Whether to try again is the dialer's decision, made after asking the carrier.
- Every request has a timeout (the library's async client would otherwise wait for ever).
- Its request log shows no phone numbers: Twilio puts them in query strings and in paths.

Build it inside the running event loop: it opens an aiohttp session at once.
"""

import functools
import logging
import re
from urllib.parse import quote_plus

import aiohttp
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response

log = logging.getLogger(__name__)

TWILIO_HOSTS = ("https://api.twilio.com", "https://lookups.twilio.com")
_NUMBER = re.compile(r"(%2B|\+)?\d{6,}")


@functools.lru_cache(maxsize=256)
def _quoted(value: str) -> str:
    return quote_plus(value)


def encode_form(data: dict[str, object]) -> bytes:
    """The library says the body is a form; encoded here it skips aiohttp's FormData, the
    costliest step of sending a message. The texts are the same for every resident, so
    their quoting is remembered."""
    pairs = (
        f"{_quoted(key)}={_quoted(str(item))}"
        for key, value in data.items()
        for item in (value if isinstance(value, list | tuple) else [value])
    )
    return "&".join(pairs).encode()


def _loggable(url: str) -> str:
    path = url.split("?", 1)[0]
    return _NUMBER.sub("…", path)


class CarrierHttpClient(AsyncTwilioHttpClient):
    def __init__(self, api_base: str, timeout: float) -> None:
        super().__init__(pool_connections=False, timeout=timeout, max_retries=None, logger=log)
        # One session for the process, without a cookie jar: the API sets no cookies.
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())
        self.api_base = api_base.rstrip("/")

    def rebase(self, url: str) -> str:
        for host in TWILIO_HOSTS:
            if url.startswith(host + "/"):
                return self.api_base + url[len(host) :]
        return url

    async def request(  # type: ignore[override]
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        headers = dict(headers or {})
        if auth is not None:
            # aiohttp 3.14 deprecates its BasicAuth, which the library would build from this.
            headers["Authorization"] = aiohttp.encode_basic_auth(*auth)
        body = encode_form(data) if data else None
        return await super().request(
            method,
            self.rebase(url),
            params=params,
            data=body,
            headers=headers,
            auth=None,
            timeout=timeout or self.timeout,
            allow_redirects=allow_redirects,
        )

    def log_request(self, kwargs: dict) -> None:
        log.debug("carrier request %s %s", kwargs["method"], _loggable(kwargs["url"]))

    def log_response(self, status_code: int, response: object) -> None:
        log.debug("carrier response %s", status_code)
