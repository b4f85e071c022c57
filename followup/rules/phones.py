"""Classify a phone number once, on the way in.

A whitelist of characters comes first: `phonenumbers` would happily turn letters
into digits (vanity numbers), and a stray letter in a municipal export means the
number was typed wrong, not that it spells a word.
"""

import re
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from phonenumbers import PhoneNumberType

from followup.rules.domain import ContactStatus, PhoneType

DEFAULT_REGION = "NL"
MAX_RAW_LENGTH = 40

_ALLOWED = re.compile(r"^\+?[0-9 ()./\-]+$")

_TYPES = {
    PhoneNumberType.MOBILE: PhoneType.MOBILE,
    PhoneNumberType.FIXED_LINE: PhoneType.FIXED_LINE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE: PhoneType.FIXED_LINE_OR_MOBILE,
    PhoneNumberType.VOIP: PhoneType.VOIP,
    PhoneNumberType.PERSONAL_NUMBER: PhoneType.PERSONAL,
}
CALLABLE_TYPES = frozenset(_TYPES.values())
# Only mobile numbers get SMS: a text to a landline is lost or read out by a robot.
SMS_TYPES = frozenset({PhoneType.MOBILE})


def can_be_called(status: ContactStatus, type_: PhoneType) -> bool:
    return status is ContactStatus.VALID and type_ in CALLABLE_TYPES


def can_take_sms(status: ContactStatus, type_: PhoneType, *, sms_blocked: bool = False) -> bool:
    """`sms_blocked`: the carrier refused SMS to this number although it looked mobile."""
    return status is ContactStatus.VALID and type_ in SMS_TYPES and not sms_blocked


class InvalidPhoneReason(StrEnum):
    BAD_CHARACTERS = "bad_characters"
    TOO_LONG = "too_long"
    NOT_A_NUMBER = "not_a_number"
    INVALID_NUMBER = "invalid_number"
    NOT_PERSONAL = "not_personal"


@dataclass(frozen=True, slots=True)
class PhoneClassification:
    raw: str
    e164: str | None
    type: PhoneType
    status: ContactStatus
    invalid_reason: InvalidPhoneReason | None = None

    @property
    def identity(self) -> str:
        """Two notations of one number are one number; an unparseable one is what was written."""
        return self.e164 or self.raw

    @property
    def is_valid(self) -> bool:
        return self.status is ContactStatus.VALID

    @property
    def can_call(self) -> bool:
        return can_be_called(self.status, self.type)

    @property
    def can_sms(self) -> bool:
        return can_take_sms(self.status, self.type)


def _invalid(
    raw: str,
    reason: InvalidPhoneReason,
    e164: str | None = None,
    type_: PhoneType = PhoneType.UNKNOWN,
) -> PhoneClassification:
    return PhoneClassification(raw, e164, type_, ContactStatus.INVALID, reason)


def classify_phone(raw: str, region: str = DEFAULT_REGION) -> PhoneClassification:
    """Normalise any usual notation to E.164 and decide whether it may be dialled or texted.

    `raw` must not be blank; callers treat a blank cell as "no number".
    """
    text = raw.strip()
    if len(text) > MAX_RAW_LENGTH:
        return _invalid(text[:MAX_RAW_LENGTH], InvalidPhoneReason.TOO_LONG)
    if not _ALLOWED.match(text):
        return _invalid(text, InvalidPhoneReason.BAD_CHARACTERS)
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return _invalid(text, InvalidPhoneReason.NOT_A_NUMBER)
    # number_type is UNKNOWN exactly when is_valid_number is False; one call does both.
    number_type = phonenumbers.number_type(number)
    if number_type == PhoneNumberType.UNKNOWN:
        return _invalid(text, InvalidPhoneReason.INVALID_NUMBER)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    type_ = _TYPES.get(number_type, PhoneType.OTHER)
    if type_ is PhoneType.OTHER:
        return _invalid(text, InvalidPhoneReason.NOT_PERSONAL, e164, type_)
    return PhoneClassification(text, e164, type_, ContactStatus.VALID)


_DIGIT_RUN = re.compile(r"\+?\d[\d ]{5,}\d")


def mask_numbers(text: str) -> str:
    """A carrier's error text with every phone number in it blanked out."""
    return _DIGIT_RUN.sub("…", text)


def mask_phone(e164_or_raw: str | None) -> str:
    """What a log line may show of a number: enough to tell two apart, not enough to dial."""
    if not e164_or_raw:
        return "-"
    digits = re.sub(r"\D", "", e164_or_raw)
    return f"…{digits[-2:]}" if len(digits) > 2 else "…"
