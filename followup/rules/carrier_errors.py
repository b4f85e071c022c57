"""What a failed send means: the carrier's error codes and HTTP statuses, and SMTP's replies,
sorted into the few kinds the dialer acts on.

Twilio error codes: https://www.twilio.com/docs/api/errors. Synchronous ones come back when a
message or call is created; delivery ones (30xxx) arrive later in a status callback; 13xxx
come from a <Dial> in a call.
"""

from dataclasses import dataclass
from enum import StrEnum

from followup.rules.domain import CarrierResource, Channel, EvidenceSource


class Failure(StrEnum):
    TRANSIENT = "transient"  # nothing was sent, or delivery failed for now: try again later
    UNCERTAIN = "uncertain"  # the carrier may have sent it: ask it before trying again
    INVALID_ADDRESS = "invalid_address"  # the number or address is wrong: never use it again
    NOT_MOBILE = "not_mobile"  # the number cannot take SMS; calling it is still possible
    OPTED_OUT = "opted_out"  # the resident unsubscribed at the carrier (STOP to our number)
    PERMANENT = "permanent"  # this attempt cannot succeed; the ladder moves on
    ACCOUNT = "account"  # our credentials or sender are wrong: stop sending altogether
    # The carrier or mail server could not be reached or is failing on its own side, and
    # certainly has nothing: an outage, no try of the resident's. The attempt waits.
    UNREACHABLE = "unreachable"


MAX_DETAIL = 255  # what the records keep of why (an attempt's error message)


@dataclass(frozen=True, slots=True)
class Rejected:
    """A send the carrier or mail server refused (nothing was sent), or a delivery or call that
    failed afterwards."""

    failure: Failure
    code: int | None
    detail: str  # for people and the record; never a phone number or a message body
    source: EvidenceSource = EvidenceSource.CARRIER_ERROR  # where the proof comes from


INVALID_NUMBER_CODES = frozenset(
    {
        21211,  # invalid 'To' phone number
        21214,  # 'To' phone number cannot be reached
        21217,  # phone number does not appear to be valid
        13223,  # Dial: invalid phone number format
        13224,  # Dial: invalid phone number
        30005,  # unknown destination handset (delivery)
    }
)
NOT_MOBILE_CODES = frozenset(
    {
        21614,  # 'To' number is not a valid mobile number
        21635,  # 'To' number cannot be a landline
        30006,  # landline or unreachable carrier (delivery)
    }
)
OPTED_OUT_CODES = frozenset({21610})  # attempt to send to an unsubscribed recipient
TRANSIENT_CODES = frozenset(
    {
        20429,  # too many requests
        30001,  # queue overflow
        30003,  # unreachable destination handset (switched off, out of coverage)
        30008,  # unknown error at the carrier
    }
)
ACCOUNT_CODES = frozenset(
    {
        20003,  # authentication failed
        20005,  # account not active
        20404,  # account or resource not found: a wrong account SID
        21212,  # invalid 'From' number
        21606,  # 'From' number cannot send SMS
        21608,  # trial account: number not verified
        21659,  # 'From' is not a number of this account
    }
)


def classify_code(code: int | None) -> Failure | None:
    """The kind of a known Twilio error code, or None when the code alone does not say."""
    for codes, failure in (
        (INVALID_NUMBER_CODES, Failure.INVALID_ADDRESS),
        (NOT_MOBILE_CODES, Failure.NOT_MOBILE),
        (OPTED_OUT_CODES, Failure.OPTED_OUT),
        (TRANSIENT_CODES, Failure.TRANSIENT),
        (ACCOUNT_CODES, Failure.ACCOUNT),
    ):
        if code in codes:
            return failure
    return None


def classify_rejection(http_status: int, code: int | None) -> Failure:
    """An error answer to a create request. A 5xx may come after the carrier accepted the
    message, so it is uncertain; a 429 or another 4xx says nothing was sent."""
    known = classify_code(code)
    if known is not None:
        return known
    if http_status >= 500:
        return Failure.UNCERTAIN
    if http_status == 429:
        return Failure.TRANSIENT
    if http_status in (401, 403):
        return Failure.ACCOUNT
    return Failure.PERMANENT


def classify_delivery(code: int | None) -> Failure:
    """A message the carrier accepted and then could not deliver. Only the resident's side
    can fail then: our account was fine when it was sent."""
    failure = classify_code(code) or Failure.PERMANENT
    return Failure.PERMANENT if failure in (Failure.ACCOUNT, Failure.UNCERTAIN) else failure


def failed_delivery(resource: CarrierResource, status: str, code: int | None) -> Rejected:
    """A message that could not be delivered, or a call that failed, as a callback tells it.
    A call that was busy or not answered reached a real phone: only a <Dial> error on the
    number says it is wrong."""
    detail = f"{status} (fout {code})" if code else status
    if resource is CarrierResource.MESSAGE:
        return Rejected(classify_delivery(code), code, detail, EvidenceSource.DELIVERY_ERROR)
    known = classify_code(code)
    failure = known if known is Failure.INVALID_ADDRESS else Failure.PERMANENT
    return Rejected(failure, code, detail, EvidenceSource.CARRIER_ERROR)


def refused_at_sending(channel: Channel, rejected: Rejected) -> Rejected:
    """A call starts by ringing the agent's own phone: a number refused then is the agent's,
    not the resident's, and is never flagged."""
    if channel is Channel.CALL and rejected.failure in (
        Failure.INVALID_ADDRESS,
        Failure.NOT_MOBILE,
    ):
        detail = f"nummer van de medewerker: {rejected.detail}"
        return Rejected(Failure.PERMANENT, rejected.code, detail[:MAX_DETAIL], rejected.source)
    return rejected


def lookup_failure(valid: bool, mobile: bool | None) -> Failure | None:
    """What the carrier's Lookup of a number before its first SMS proves, if anything."""
    if not valid:
        return Failure.INVALID_ADDRESS
    if mobile is False:
        return Failure.NOT_MOBILE
    return None


def classify_smtp(reply_code: int) -> Failure:
    """An SMTP server's refusal: 4xx means try again later, 5xx means never (RFC 5321). 550,
    551 and 553 say the mailbox does not exist or the address is not allowed; 421 says the
    server itself is not available."""
    if reply_code == 421:
        return Failure.UNREACHABLE
    if reply_code in (530, 535):
        return Failure.ACCOUNT
    if reply_code in (550, 551, 553):
        return Failure.INVALID_ADDRESS
    return Failure.TRANSIENT if 400 <= reply_code < 500 else Failure.PERMANENT
