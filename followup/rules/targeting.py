"""Where an attempt goes, decided when it is sent rather than when it was planned: a number
proven wrong since, a new number from an import or a bounced address changes the answer.
The same rule picks the channel that takes over when a number turns out to be wrong."""

from dataclasses import dataclass
from enum import StrEnum

from followup.rules import care
from followup.rules.domain import AttemptPurpose, Channel
from followup.rules.ladder import ContactProfile, message_channel

CALL_PURPOSES = frozenset({AttemptPurpose.CALL, AttemptPurpose.CALLBACK})


@dataclass(frozen=True, slots=True)
class Number:
    """A current number that is not known to be wrong."""

    id: int
    e164: str
    can_sms: bool
    can_call: bool


@dataclass(frozen=True, slots=True)
class Reach:
    """What a client can be reached by now: numbers in order of preference (the primary
    number first), a valid e-mail address or None, the preferred channel, and whether they
    asked not to be contacted at all or were marked as needing care."""

    numbers: tuple[Number, ...]
    email: str | None
    preferred: Channel | None = None
    opted_out: bool = False
    care: bool = False  # an agent marked that they need care: nothing automated goes out

    def first(self, channel: Channel) -> Number | None:
        usable = (lambda n: n.can_sms) if channel is Channel.SMS else (lambda n: n.can_call)
        return next((n for n in self.numbers if usable(n)), None)

    @property
    def profile(self) -> ContactProfile:
        return ContactProfile(
            can_sms=self.first(Channel.SMS) is not None,
            can_call=self.first(Channel.CALL) is not None,
            has_email=self.email is not None,
            preferred=self.preferred,
        )


@dataclass(frozen=True, slots=True)
class Target:
    channel: Channel
    number: Number | None = None
    email: str | None = None
    to: str | None = None  # an address of the attempt's own (`own_address`), on no list

    @property
    def address(self) -> str:
        return self.number.e164 if self.number else self.to or self.email or ""


def own_address(
    purpose: AttemptPurpose, channel: Channel, phone_number_id: int | None, to_address: str | None
) -> str | None:
    """The number an SMS was queued for when it is none of the resident's numbers: the code
    that checks a new number the resident gave on the response page (a message by a person,
    with its address and no number id from the start). Every other SMS gets one of the
    resident's numbers when it is claimed, and keeps its id."""
    if (
        purpose is AttemptPurpose.AGENT_MESSAGE
        and channel is Channel.SMS
        and phone_number_id is None
        and to_address
    ):
        return to_address
    return None


def choose_target(purpose: AttemptPurpose, reach: Reach) -> Target | None:
    """Calls go to the first callable number; messages by the rule of CONTRACT section 4:
    e-mail when preferred, else SMS to a mobile, else e-mail."""
    channel = Channel.CALL if purpose in CALL_PURPOSES else message_channel(reach.profile)
    if channel is None:
        return None
    if channel is Channel.EMAIL:
        return Target(Channel.EMAIL, email=reach.email)
    number = reach.first(channel)
    return Target(channel, number=number) if number else None


class Unsendable(StrEnum):
    """Why a claimed attempt will not go out after all (recorded as its reason)."""

    FOLLOW_UP_CLOSED = "follow_up_closed"  # cancelled: the ladder stops
    OPTED_OUT = "opted_out"  # cancelled
    NO_ADDRESS = "no_address"  # failed: nothing left to reach the resident by
    CARE = "care"  # cancelled: an agent marked that the resident needs care


def stopped(purpose: AttemptPurpose, reach: Reach, contactable: bool) -> Unsendable | None:
    """Why an attempt must not go out at all, whatever address it has: asked when it is
    claimed and again just before it is sent. `contactable`: its follow-up is still open and
    the resident's data not erased."""
    if not contactable:
        return Unsendable.FOLLOW_UP_CLOSED
    if reach.opted_out:
        return Unsendable.OPTED_OUT
    if reach.care and care.stops(purpose):
        return Unsendable.CARE
    return None


def target_at_claim(
    purpose: AttemptPurpose, reach: Reach, contactable: bool, own: str | None = None
) -> Target | Unsendable:
    """Where a due attempt goes now, or why it goes nowhere. `own`: its own address
    (`own_address`), which it keeps."""
    return (
        stopped(purpose, reach, contactable)
        or (Target(Channel.SMS, to=own) if own else None)
        or choose_target(purpose, reach)
        or (Unsendable.NO_ADDRESS)
    )
