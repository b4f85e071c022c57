"""A token bucket per channel: the carrier's limits (Twilio: one call a second, about ten
messages a second per account) are kept by the sender, not discovered through its 429s.

Each caller reserves its token at once and sleeps until the token is due, so many senders
running side by side are spaced exactly `1 / rate` apart, and a long run keeps the rate
however the work is spread over them.

Hand-written because aiolimiter cannot hold the rate with a burst of one
(scripts/bench_dispatch.py, 2026-12-01, limit 100/s): `AsyncLimiter(1, 1 / rate)` let the
carrier see 91.2 a second (9% under; 5% allowed), this bucket 100.0. aiolimiter times the
next send from the moment the last one went, so every late wake-up (the event loop rounds
its timers up to the millisecond) is lost for good. A larger burst keeps the rate
(`AsyncLimiter(2, 2 / rate)`: 100.1 in a probe in one process) but lets that many sends go
at once after a pause: two calls in one second where the carrier allows one.
"""

import asyncio
import time
from collections.abc import Callable


class TokenBucket:
    def __init__(
        self, rate: float, burst: int = 1, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._tokens = float(burst)
        self._updated = clock()

    def reserve(self) -> float:
        """Take one token; the seconds to wait before using it (0 when one is ready)."""
        now = self.clock()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    async def take(self) -> None:
        wait = self.reserve()
        if wait > 0:
            await asyncio.sleep(wait)
