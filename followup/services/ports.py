"""What the services need from the outside world to reach residents, as small interfaces.
The dialer implements them for Twilio and SMTP; tests use the same implementations against
the simulated carrier and a real SMTP server, never stand-ins for the services."""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from followup.rules.carrier_errors import Rejected
from followup.rules.domain import AttemptPurpose, Channel


@dataclass(frozen=True, slots=True)
class Outbound:
    """One attempt, ready to go: rendered, addressed, and stored as `sending`."""

    attempt_id: int
    client_id: int
    channel: Channel
    purpose: AttemptPurpose
    to: str  # E.164 number or e-mail address
    number_id: int | None = None
    body: str = ""
    subject: str = ""
    agent_phone: str | None = None  # a call rings the agent first, then the client
    lookup: bool = False  # ask the carrier's Lookup about the number before the first SMS


@dataclass(frozen=True, slots=True)
class Accepted:
    """The carrier took it; `sid` is its name for the message or (agent's leg of the) call."""

    sid: str
    status: str


@dataclass(frozen=True, slots=True)
class Unsure:
    """No clear answer (a timeout, a 5xx, garbage): it may have been sent. The reconciler
    asks the carrier before anything is sent again."""

    detail: str


SendResult = Accepted | Rejected | Unsure


class ChannelAdapter(Protocol):
    async def send(self, outbound: Outbound) -> SendResult: ...

    async def find(
        self, outbound: Outbound, known_sids: Collection[str]
    ) -> Accepted | Unsure | None:
        """After a crash or an unclear answer: what the carrier has of this attempt that is
        not one of `known_sids` (already another attempt's), None when it certainly has
        nothing, Unsure when it cannot tell now."""
        ...


@dataclass(frozen=True, slots=True)
class LookupResult:
    valid: bool
    mobile: bool | None  # None when the carrier does not say
    detail: str


class NumberLookup(Protocol):
    async def lookup(self, e164: str) -> LookupResult | None:
        """None when the carrier could not be asked; the number is then used as it is."""
        ...
