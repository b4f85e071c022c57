"""Test controls of the simulated carrier: faults that spoil the answer to create requests,
and a hold that keeps answers back (the request is handled, only the answer waits), so tests
can reproduce a carrier that sent but did not say so."""

import asyncio
import contextlib
from collections import deque
from dataclasses import dataclass
from enum import StrEnum


class FaultKind(StrEnum):
    HTTP_500 = "http_500"  # 500 with Twilio's error body
    HTTP_429 = "http_429"  # 429 Too Many Requests
    GARBAGE = "garbage"  # a 2xx answer that is not JSON
    TIMEOUT = "timeout"  # no answer for a long time


@dataclass(frozen=True, slots=True)
class Fault:
    kind: FaultKind
    count: int = 1  # how many create requests it spoils, one each
    after_record: bool = False  # handle the request first: the carrier did send

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", FaultKind(self.kind))
        if self.count < 1:
            raise ValueError("count must be at least 1")


class Controls:
    def __init__(self) -> None:
        self._faults: deque[Fault] = deque()
        self._released = asyncio.Event()
        self._released.set()
        self._closing = asyncio.Event()
        self._held_changed = asyncio.Condition()
        self.held = 0

    def add_fault(self, fault: Fault) -> None:
        self._faults.extend([Fault(fault.kind, 1, fault.after_record)] * fault.count)

    def clear_faults(self) -> None:
        self._faults.clear()

    def take_fault(self) -> Fault | None:
        return self._faults.popleft() if self._faults else None

    @property
    def holding(self) -> bool:
        return not self._released.is_set()

    def hold(self) -> None:
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    async def wait_if_held(self) -> None:
        if not self.holding:
            return
        await self._count_held(+1)
        try:
            await self._released.wait()
        finally:
            await self._count_held(-1)

    async def _count_held(self, change: int) -> None:
        async with self._held_changed:
            self.held += change
            self._held_changed.notify_all()

    async def wait_held(self, count: int, timeout: float = 10.0) -> None:
        """Until at least `count` answers are being held back."""
        async with asyncio.timeout(timeout), self._held_changed:
            await self._held_changed.wait_for(lambda: self.held >= count)

    async def stall(self, seconds: float) -> None:
        """Sleep, cut short when the simulator stops (its server would wait for us)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    def open(self) -> None:
        self._closing.clear()

    def close(self) -> None:
        """Let every held or stalled answer go, so the server can stop."""
        self._closing.set()
        self._released.set()
