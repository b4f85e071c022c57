"""A progress bar on stderr, drawn only where a person watches (a terminal)."""

import sys
import time
from typing import TextIO

MIN_ROWS = 10_000


class Progress:
    def __init__(
        self,
        total: int,
        label: str,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        min_interval: float = 0.2,
    ):
        self.stream = stream or sys.stderr
        self.total = max(total, 1)
        self.label = label
        self.enabled = (self.stream.isatty() and total >= MIN_ROWS) if enabled is None else enabled
        self.min_interval = min_interval
        self._last = 0.0

    def update(self, done: int) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self._last < self.min_interval and done < self.total):
            return
        self._last = now
        share = min(done / self.total, 1.0)
        bar = "#" * int(share * 30)
        self.stream.write(f"\r{self.label} [{bar:<30}] {share:4.0%} ({done}/{self.total})")
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self.update(self.total)
            self.stream.write("\n")
            self.stream.flush()
