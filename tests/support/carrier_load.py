"""The carrier's traffic as load: status callbacks and inbound SMS posted continuously over
real HTTP, signed as Twilio signs them, each remembered with the answer it got, so a test
can check afterwards that everything acknowledged with 200 was kept."""

import asyncio
import secrets
from collections import Counter
from dataclasses import dataclass, field

import aiohttp

from followup.carrier_urls import SMS_PATH, SMS_STATUS_PATH
from followup.settings import SIM_ACCOUNT_SID, SIM_AUTH_TOKEN, SIM_FROM
from tests.support.webhooks import signature

NO_ANSWER = 0  # counted in `answers` for a request that got no HTTP answer at all
SMS_EVERY = 4  # one inbound SMS for every few status callbacks, as in a real day
PAUSE = 0.02  # between one worker's posts: a steady stream, not all the CPU the test has


@dataclass
class CarrierLoad:
    """`base`: where the service listens and, without a proxy, its public URL."""

    base: str
    workers: int = 4
    answers: Counter[int] = field(default_factory=Counter)
    statuses: set[tuple[str, str]] = field(default_factory=set)  # (SID, status) answered 200
    sms: set[str] = field(default_factory=set)  # inbound SMS SIDs answered 200
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def acknowledged(self) -> int:
        return self.answers[200]

    async def _post(self, web: aiohttp.ClientSession, path: str, params: dict[str, str]) -> int:
        url = self.base + path
        headers = {"X-Twilio-Signature": signature(SIM_AUTH_TOKEN, url, params)}
        try:
            async with web.post(url, data=params, headers=headers) as response:
                await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError):
            status = NO_ANSWER
        self.answers[status] += 1
        return status

    async def _status_callbacks(self, web: aiohttp.ClientSession) -> None:
        """A message's life as the carrier reports it; nobody sent it (an orphan, kept all
        the same), so the database has no other reason to hold these rows."""
        sid = "SM" + secrets.token_hex(16)
        for status in ("sent", "delivered"):
            params = {
                "AccountSid": SIM_ACCOUNT_SID,
                "MessageSid": sid,
                "MessageStatus": status,
                "To": "+31612340000",
                "From": SIM_FROM,
            }
            if await self._post(web, SMS_STATUS_PATH, params) == 200:
                self.statuses.add((sid, status))

    async def _inbound_sms(self, web: aiohttp.ClientSession) -> None:
        sid = "SM" + secrets.token_hex(16)
        params = {
            "AccountSid": SIM_ACCOUNT_SID,
            "MessageSid": sid,
            "From": f"+316{secrets.randbelow(10**8):08d}",
            "To": SIM_FROM,
            "Body": "Prima, dank u",
        }
        if await self._post(web, SMS_PATH, params) == 200:
            self.sms.add(sid)

    async def _worker(self) -> None:
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(timeout=timeout) as web:
            sent = 0
            while not self._stop.is_set():
                sent += 1
                if sent % SMS_EVERY:
                    await self._status_callbacks(web)
                else:
                    await self._inbound_sms(web)
                await asyncio.sleep(PAUSE)

    async def run(self) -> None:
        """Until `stop`."""
        await asyncio.gather(*(self._worker() for _ in range(self.workers)))

    def stop(self) -> None:
        self._stop.set()
