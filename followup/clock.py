"""The wall clock, in UTC. Everything that needs the time takes a clock or `now` as an
argument, so a test can set it; only the composition root and the CLI read this one."""

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)
