"""When to try a failed send again: capped exponential backoff with jitter, for transient
failures only. A value object with no clock and no randomness of its own: the caller passes
the jitter, so a table of cases pins the policy down."""

from dataclasses import dataclass
from datetime import timedelta

from followup.rules.carrier_errors import Failure


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_tries: int = 4  # carrier requests for one step, the first one included
    first_delay: timedelta = timedelta(minutes=1)
    max_delay: timedelta = timedelta(hours=1)

    def __post_init__(self) -> None:
        if self.max_tries < 1:
            raise ValueError("max_tries must be at least 1")
        if not timedelta(0) < self.first_delay <= self.max_delay:
            raise ValueError("need 0 < first_delay <= max_delay")

    def next_delay(self, failure: Failure, tries: int, jitter: float) -> timedelta | None:
        """How long to wait before the next try after `tries` tries failed this way, or None
        when there is no next try. `jitter` in [0, 1) spreads retries of many attempts that
        failed together ("equal jitter": between half and all of the backoff)."""
        if failure is not Failure.TRANSIENT or tries >= self.max_tries:
            return None
        if tries < 1:
            raise ValueError("tries counts the failed tries: at least 1")
        if not 0 <= jitter < 1:
            raise ValueError("jitter must be in [0, 1)")
        backoff = min(self.first_delay * 2 ** (tries - 1), self.max_delay)
        return backoff / 2 + backoff / 2 * jitter
