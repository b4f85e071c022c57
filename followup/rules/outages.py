"""Outages of the outside world: whether a send's answer shows the carrier or the mail server
failing (rather than something about one resident), and how a failing channel is probed again.

While a channel fails, its attempts wait in the queue without counting as a try, and the
dispatcher sends one attempt at a time, at growing intervals, instead of the whole batch. The
first clear answer opens the channel again. Pure: `now` is an argument.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from followup.rules.carrier_errors import Failure
from followup.rules.domain import Channel

# No answer, or no clear one: the service itself is in trouble. (An unclear answer may still
# have been sent; the reconciler settles that attempt. It says nothing of the resident.)
OUTAGE_FAILURES = frozenset({Failure.UNREACHABLE, Failure.UNCERTAIN})


class Verdict(StrEnum):
    WORKING = "working"  # it answered clearly: accepted, or refused for a reason of its own
    FAILING = "failing"  # it could not be reached, or gave no clear answer


class Gate(StrEnum):
    OPEN = "open"  # send as usual
    PROBE = "probe"  # failing, and time for the next try: send one attempt
    WAIT = "wait"  # failing: send nothing until the next try


def is_outage(failure: Failure | None) -> bool:
    """`failure` None: the send was accepted."""
    return failure in OUTAGE_FAILURES


def verdict(failures: Iterable[Failure | None]) -> Verdict | None:
    """What one batch of answers on a channel says of it: working when any answer was clear,
    failing when none was, None when nothing was tried."""
    seen = [is_outage(failure) for failure in failures]
    if not seen:
        return None
    return Verdict.FAILING if all(seen) else Verdict.WORKING


@dataclass(frozen=True, slots=True)
class ProbePolicy:
    """Exponential backoff with a cap, per channel."""

    first_delay: timedelta = timedelta(seconds=15)
    max_delay: timedelta = timedelta(minutes=10)

    def delay(self, failures: int) -> timedelta:
        """The wait after `failures` failed tries in a row (at least 1)."""
        return min(self.first_delay * 2 ** max(failures - 1, 0), self.max_delay)


@dataclass(frozen=True, slots=True)
class ChannelHealth:
    channel: Channel
    failing_since: datetime | None = None  # None: working
    failures: int = 0  # failed tries in a row
    last_error_kind: str | None = None  # a Failure value: never a number or an address
    last_try: datetime | None = None
    next_try: datetime | None = None  # while failing: when the next probe may go

    @property
    def failing(self) -> bool:
        return self.failing_since is not None


def after(
    health: ChannelHealth,
    seen: Verdict,
    error_kind: str | None,
    now: datetime,
    policy: ProbePolicy,
) -> ChannelHealth:
    if seen is Verdict.WORKING:
        return ChannelHealth(health.channel, last_try=now)
    failures = health.failures + 1
    return replace(
        health,
        failing_since=health.failing_since or now,
        failures=failures,
        last_error_kind=error_kind,
        last_try=now,
        next_try=now + policy.delay(failures),
    )


def gate(health: ChannelHealth, now: datetime) -> Gate:
    if not health.failing:
        return Gate.OPEN
    if health.next_try is None or health.next_try <= now:
        return Gate.PROBE
    return Gate.WAIT


# Dutch names of each channel's service, and of what waits for it (one, many).
_SERVICE = {
    Channel.SMS: ("De sms-dienst", "bericht", "berichten", "gaat", "gaan", "vanzelf weg"),
    Channel.CALL: ("De beldienst", "gesprek", "gesprekken", "start", "starten", "vanzelf"),
    Channel.EMAIL: ("De mailserver", "e-mail", "e-mails", "gaat", "gaan", "vanzelf weg"),
}


def outage_text(channel: Channel, since: datetime, waiting: int, today: date) -> str:
    """One plain Dutch line for staff and operators; `since` in local time."""
    service, one, many, goes, go, how = _SERVICE[channel]
    moment = f"{since:%H:%M}" if since.date() == today else f"{since:%d-%m} {since:%H:%M}"
    line = f"{service} is sinds {moment} niet bereikbaar."
    if waiting == 0:
        return f"{line} Er wacht nu niets. Nieuwe {many} wachten tot hij weer werkt."
    if waiting == 1:
        return f"{line} 1 {one} wacht en {goes} {how} als hij weer werkt."
    return f"{line} {waiting} {many} wachten en {go} {how} als hij weer werkt."
