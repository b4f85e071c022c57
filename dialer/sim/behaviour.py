"""How the simulated carrier treats a destination (CONTRACT section 6): pure rules, so the
table can be tested without a server. Special endings make it misbehave on purpose."""

import functools
import math
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from phonenumbers import PhoneNumber, PhoneNumberType, ValidationResult

REGION = "NL"
INVALID_ENDING = "0000"

# Line types as Lookup v2's line_type_intelligence names them.
_LINE_TYPES = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "landline",
    PhoneNumberType.VOIP: "nonFixedVoip",
    PhoneNumberType.TOLL_FREE: "tollFree",
    PhoneNumberType.PREMIUM_RATE: "premium",
    PhoneNumberType.SHARED_COST: "sharedCost",
    PhoneNumberType.PERSONAL_NUMBER: "personal",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
}
_VALIDATION_ERRORS = {
    ValidationResult.TOO_SHORT: "TOO_SHORT",
    ValidationResult.TOO_LONG: "TOO_LONG",
    ValidationResult.INVALID_COUNTRY_CODE: "INVALID_COUNTRY_CODE",
    ValidationResult.INVALID_LENGTH: "INVALID_LENGTH",
}


@dataclass(frozen=True, slots=True)
class Rejection:
    """A create request the carrier refuses: nothing is sent. The message never holds the
    number, because our logs may carry the exception text."""

    status: int
    code: int
    message: str


INVALID_TO = Rejection(400, 21211, "The 'To' number is not a valid phone number.")
NOT_MOBILE = Rejection(400, 21614, "'To' number is not a valid mobile number")


class CallStatus(StrEnum):
    QUEUED = "queued"
    RINGING = "ringing"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    FAILED = "failed"
    CANCELED = "canceled"


# SIP answer Twilio reports with each way a call leg goes or ends.
SIP_CODES: dict[str, int] = {
    CallStatus.IN_PROGRESS: 200,
    CallStatus.COMPLETED: 200,
    CallStatus.BUSY: 486,
    CallStatus.NO_ANSWER: 480,
    CallStatus.FAILED: 404,
    CallStatus.CANCELED: 487,
}
DIAL_INVALID_NUMBER = 13224


@dataclass(frozen=True, slots=True)
class SmsFate:
    status: str  # "delivered" or "undelivered"
    error_code: int | None = None


@dataclass(frozen=True, slots=True)
class CallFate:
    status: CallStatus  # IN_PROGRESS when answered
    error_code: int | None = None


@dataclass(frozen=True, slots=True)
class Destination:
    """A number as the carrier sees it, classified once."""

    raw: str
    number: PhoneNumber | None  # None when it cannot even be parsed
    e164: str | None = None
    line_type: str | None = None  # None for a number that is not valid
    is_dutch: bool = False

    @property
    def identity(self) -> str:
        return self.e164 or self.raw

    def ends_with(self, ending: str) -> bool:
        return self.identity.endswith(ending)

    @property
    def valid(self) -> bool:
        return self.line_type is not None

    def validation_errors(self) -> list[str]:
        if self.number is None:
            return ["NOT_A_NUMBER"]
        if self.valid:
            return []
        reason = phonenumbers.is_possible_number_with_reason(self.number)
        return [_VALIDATION_ERRORS.get(reason, "INVALID_BUT_POSSIBLE")]


@functools.lru_cache(maxsize=4096)
def destination(raw: str | None) -> Destination:
    text = (raw or "").strip()
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        return Destination(text, None)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    # number_type is UNKNOWN exactly when the number is not valid: one call tells both.
    kind = phonenumbers.number_type(number)
    valid = kind != PhoneNumberType.UNKNOWN and not e164.endswith(INVALID_ENDING)
    return Destination(
        text,
        number,
        e164,
        _LINE_TYPES.get(kind, "unknown") if valid else None,
        phonenumbers.region_code_for_number(number) == REGION,
    )


def sms_fate(to: Destination) -> Rejection | SmsFate:
    if not to.valid:
        return INVALID_TO
    if to.is_dutch and to.line_type != "mobile":
        return NOT_MOBILE
    if to.ends_with("0005"):
        return SmsFate("undelivered", 30005)
    if to.ends_with("0003"):
        return SmsFate("undelivered", 30003)
    return SmsFate("delivered")


def call_fate(to: Destination) -> Rejection | CallFate:
    """The agent's leg, created through the REST API."""
    if not to.valid:
        return INVALID_TO
    return _answer(to)


def dial_fate(to: Destination) -> CallFate:
    """The resident's leg, dialled from TwiML: a bad number fails the leg instead."""
    if not to.valid:
        return CallFate(CallStatus.FAILED, DIAL_INVALID_NUMBER)
    return _answer(to)


def _answer(to: Destination) -> CallFate:
    if to.ends_with("0001"):
        return CallFate(CallStatus.NO_ANSWER)
    if to.ends_with("0002"):
        return CallFate(CallStatus.BUSY)
    return CallFate(CallStatus.IN_PROGRESS)


# The GSM 03.38 alphabet: a text in it fits 160 characters a segment; anything else is UCS-2.
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = frozenset("^{}\\[~]|€\f")


@functools.lru_cache(maxsize=256)  # the service sends the same few texts to everyone
def num_segments(body: str) -> int:
    if all(c in _GSM_BASIC or c in _GSM_EXTENDED for c in body):
        units = sum(2 if c in _GSM_EXTENDED else 1 for c in body)
        single, multi = 160, 153
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, multi = 70, 67
    return 1 if units <= single else math.ceil(units / multi)
