import re

import pytest

from followup.rules.domain import ContactStatus, PhoneType
from followup.rules.phones import (
    MAX_RAW_LENGTH,
    InvalidPhoneReason,
    can_be_called,
    can_take_sms,
    classify_phone,
    mask_phone,
)

MOBILE_E164 = "+31612345678"


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("06-12345678", id="dash"),
        pytest.param("0612345678", id="plain"),
        pytest.param("+31 6 1234 5678", id="international-spaced"),
        pytest.param("+31612345678", id="e164"),
        pytest.param("0031612345678", id="double-zero-prefix"),
        pytest.param("(06) 12345678", id="parentheses"),
        pytest.param("612345678", id="leading-zero-dropped"),
        pytest.param("06 12 34 56 78", id="pairs"),
        pytest.param("06.12345678", id="dot"),
        pytest.param("06/12345678", id="slash"),
        pytest.param("+31(0)612345678", id="plus31-bracketed-trunk-zero"),
        pytest.param("+31 (0)6 - 1234 5678", id="plus31-bracketed-trunk-zero-spaced"),
        pytest.param("  06-12345678  ", id="surrounding-whitespace"),
    ],
)
def test_dutch_mobile_notations_normalise_to_one_e164(raw):
    phone = classify_phone(raw)
    assert phone.e164 == MOBILE_E164
    assert phone.type is PhoneType.MOBILE
    assert phone.status is ContactStatus.VALID
    assert phone.invalid_reason is None
    assert phone.is_valid
    assert phone.can_call
    assert phone.can_sms
    assert phone.raw == raw.strip()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        pytest.param("06-1234567a", InvalidPhoneReason.BAD_CHARACTERS, id="trailing-letter"),
        pytest.param("06#12345678", InvalidPhoneReason.BAD_CHARACTERS, id="hash"),
        pytest.param("tel 0612345678", InvalidPhoneReason.BAD_CHARACTERS, id="tel-prefix"),
        pytest.param("6,12345678E+08", InvalidPhoneReason.BAD_CHARACTERS, id="excel-scientific"),
        pytest.param("06-CALLME", InvalidPhoneReason.BAD_CHARACTERS, id="vanity-letters"),
        pytest.param("06-12345678 ext 2", InvalidPhoneReason.BAD_CHARACTERS, id="extension"),
        pytest.param("06*12345678", InvalidPhoneReason.BAD_CHARACTERS, id="asterisk"),
        pytest.param("+", InvalidPhoneReason.BAD_CHARACTERS, id="plus-only"),
        pytest.param("06+12345678", InvalidPhoneReason.BAD_CHARACTERS, id="plus-in-middle"),
        pytest.param("06-1234567", InvalidPhoneReason.INVALID_NUMBER, id="too-short"),
        pytest.param("06-123456789", InvalidPhoneReason.INVALID_NUMBER, id="one-digit-too-many"),
        pytest.param("0", InvalidPhoneReason.NOT_A_NUMBER, id="single-digit"),
        pytest.param("0" + "6" * MAX_RAW_LENGTH, InvalidPhoneReason.TOO_LONG, id="41-digits"),
        pytest.param("06-12345678" + " " * 30 + "x", InvalidPhoneReason.TOO_LONG, id="long-junk"),
        pytest.param("0800-1234", InvalidPhoneReason.NOT_PERSONAL, id="0800-free"),
        pytest.param("0900-1234567", InvalidPhoneReason.NOT_PERSONAL, id="0900-premium"),
    ],
)
def test_unusable_numbers_are_invalid_with_reason(raw, reason):
    phone = classify_phone(raw)
    assert phone.invalid_reason is reason
    assert phone.status is ContactStatus.INVALID
    assert not phone.is_valid
    assert not phone.can_call
    assert not phone.can_sms
    assert len(phone.raw) <= MAX_RAW_LENGTH


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        pytest.param("0800-1234", "+318001234", id="0800"),
        pytest.param("0900-1234567", "+319001234567", id="0900"),
    ],
)
def test_service_numbers_keep_their_e164_but_are_other(raw, e164):
    phone = classify_phone(raw)
    assert phone.e164 == e164
    assert phone.type is PhoneType.OTHER


def test_exactly_max_length_is_not_too_long():
    raw = "06-12345678".ljust(MAX_RAW_LENGTH - 1) + "9"
    assert len(raw) == MAX_RAW_LENGTH
    assert classify_phone(raw).invalid_reason is not InvalidPhoneReason.TOO_LONG


@pytest.mark.parametrize(
    ("raw", "e164", "type_", "can_sms"),
    [
        pytest.param("050-3671234", "+31503671234", PhoneType.FIXED_LINE, False, id="groningen"),
        pytest.param("020 123 4567", "+31201234567", PhoneType.FIXED_LINE, False, id="amsterdam"),
        pytest.param("085-1234567", "+31851234567", PhoneType.VOIP, False, id="voip-085"),
        pytest.param("+32 470 12 34 56", "+32470123456", PhoneType.MOBILE, True, id="be-mobile"),
        pytest.param("0032470123456", "+32470123456", PhoneType.MOBILE, True, id="be-mobile-00"),
        pytest.param("+49 151 23456789", "+4915123456789", PhoneType.MOBILE, True, id="de-mobile"),
    ],
)
def test_callable_numbers_and_who_gets_sms(raw, e164, type_, can_sms):
    phone = classify_phone(raw)
    assert phone.is_valid
    assert phone.e164 == e164
    assert phone.type is type_
    assert phone.can_call
    assert phone.can_sms is can_sms


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(None, "-", id="none"),
        pytest.param("", "-", id="empty"),
        pytest.param("+31612345678", "…78", id="e164"),
        pytest.param("06-12 34 56 78", "…78", id="formatted"),
        pytest.param("12", "…", id="two-digits"),
        pytest.param("7", "…", id="one-digit"),
        pytest.param("tel", "…", id="no-digits"),
    ],
)
def test_mask_phone(value, expected):
    assert mask_phone(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("+31612345678", id="e164"),
        pytest.param("06-12345678", id="dutch"),
        pytest.param("+32 470 12 34 56", id="belgian"),
        pytest.param("123", id="three-digits"),
        pytest.param("12", id="two-digits"),
        pytest.param("06-1234567a", id="with-letter"),
    ],
)
def test_mask_phone_never_reveals_more_than_two_digits(value):
    masked = mask_phone(value)
    shown = re.sub(r"\D", "", masked)
    assert len(shown) <= 2
    digits = re.sub(r"\D", "", value)
    assert digits.endswith(shown)


@pytest.mark.parametrize(
    ("status", "type_", "sms_blocked", "sms", "call"),
    [
        (ContactStatus.VALID, PhoneType.MOBILE, False, True, True),
        (ContactStatus.VALID, PhoneType.MOBILE, True, False, True),  # the carrier said 21614
        (ContactStatus.VALID, PhoneType.FIXED_LINE, False, False, True),
        (ContactStatus.VALID, PhoneType.VOIP, False, False, True),
        (ContactStatus.VALID, PhoneType.OTHER, False, False, False),
        (ContactStatus.INVALID, PhoneType.MOBILE, False, False, False),
    ],
)
def test_which_numbers_take_sms_and_calls(status, type_, sms_blocked, sms, call):
    assert can_take_sms(status, type_, sms_blocked=sms_blocked) is sms
    assert can_be_called(status, type_) is call
