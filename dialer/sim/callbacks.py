"""Requests from the carrier to the service, signed as Twilio signs them: status callbacks,
TwiML fetches and inbound SMS.

Status callbacks of one resource (or one click-to-call) go out in order, each tried a few
times with short growing pauses, then dropped with one log line: a receiver that is down or
hangs slows down only its own resource's line, never the simulator.
"""

import asyncio
import logging
from urllib.parse import urlencode

import aiohttp
from twilio.request_validator import RequestValidator
from yarl import URL

from dialer.sim.records import Callback
from dialer.sim.tasks import BackgroundTasks

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Signature"
USER_AGENT = "TwilioProxy/1.1"
TRIES = 3
Params = dict[str, str]


class SignedClient:
    """One HTTP session for everything the carrier sends; open it inside the event loop."""

    def __init__(self, auth_token: str, timeout: float) -> None:
        self._validator = RequestValidator(auth_token)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        self._session = aiohttp.ClientSession(timeout=self._timeout)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(self, url: str, method: str, params: Params) -> tuple[int, str]:
        """Status and text of the answer; raises aiohttp.ClientError or TimeoutError."""
        if self._session is None:
            raise aiohttp.ClientConnectionError("the simulator is not running")
        body: Params | None = params
        if method.upper() == "GET":  # Twilio signs a GET over the URL with its query
            url = f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"
            body, params = None, {}
        headers = {
            SIGNATURE_HEADER: self._validator.compute_signature(url, params),
            "User-Agent": USER_AGENT,
        }
        # encoded=True: send the URL exactly as signed, as the receiver will rebuild it.
        async with self._session.request(
            method.upper(), URL(url, encoded=True), data=body, headers=headers
        ) as response:
            return response.status, await response.text()


def loggable(url: str) -> str:
    """A callback URL without its query (which may carry our own identifiers)."""
    return url.split("?", 1)[0]


class StatusCallbacks:
    def __init__(
        self, client: SignedClient, tasks: BackgroundTasks, *, pace: float, enabled: bool
    ) -> None:
        self._client = client
        self._tasks = tasks
        self._pace = pace
        self._enabled = enabled
        self._tails: dict[str, asyncio.Task[None]] = {}

    def post(self, line: str, callback: Callback, params: Params) -> None:
        """Queue a callback behind the earlier ones of the same line (a resource's SID)."""
        if not self._enabled:
            return
        task = self._tasks.spawn(
            self._deliver(self._tails.get(line), callback, params), name=f"callback {line}"
        )
        self._tails[line] = task
        task.add_done_callback(lambda done: self._forget(line, done))

    def _forget(self, line: str, task: asyncio.Task[None]) -> None:
        if self._tails.get(line) is task:
            del self._tails[line]

    async def _deliver(
        self, previous: asyncio.Task[None] | None, callback: Callback, params: Params
    ) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        for attempt in range(TRIES):
            if attempt:
                await asyncio.sleep(self._pace * 2**attempt)
            try:
                status, _ = await self._client.send(callback.url, callback.method, params)
            except (aiohttp.ClientError, TimeoutError):
                continue
            if status < 500:
                if status >= 400:
                    log.warning(
                        "status callback refused with %d: %s", status, loggable(callback.url)
                    )
                return
        log.warning("status callback dropped after %d tries: %s", TRIES, loggable(callback.url))
