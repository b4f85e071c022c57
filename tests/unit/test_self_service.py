"""The rules of a resident correcting their own contact details: which numbers and addresses
are taken, the code, and what a given code does."""

from datetime import UTC, datetime, timedelta

import pytest

from followup.rules.self_service import (
    CODE_VALID,
    MAX_CODES,
    CorrectionProblem,
    PendingCheck,
    Verdict,
    check_new_email,
    check_new_mobile,
    code_mac,
    code_sms,
    judge_code,
    may_send_code,
    new_code,
)

SECRET = "a-secret-for-the-codes"
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("06 12345678", "+31612345678"),
        ("0612345678", "+31612345678"),
        ("+31 6 12345678", "+31612345678"),
        ("06-123 456 78", "+31612345678"),
        ("  +31612345678 ", "+31612345678"),
    ],
)
def test_a_dutch_mobile_number_is_taken_in_any_usual_notation(raw, e164):
    assert check_new_mobile(raw).e164 == e164


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("", "Vul uw nieuwe mobiele nummer in."),
        ("   ", "Vul uw nieuwe mobiele nummer in."),
        ("050 367 1234", "Dit is geen mobiel nummer."),  # a landline cannot take the code
        ("085 123 4567", "Dit is geen mobiel nummer."),  # VoIP
        ("0800 1234", "Dit nummer klopt niet."),  # not a personal number
        ("06 1234", "Dit nummer klopt niet."),
        ("+44 7911 123456", "Vul een Nederlands mobiel nummer in."),
        ("06 CALL ME", "Dit nummer klopt niet."),
        ("0612345678<script>", "Dit nummer klopt niet."),
        ("0" * 41, "Dit nummer is te lang."),
        ("6" * 100_000, "Dit nummer is te lang."),
    ],
)
def test_anything_but_a_mobile_number_is_refused_in_dutch(raw, says):
    with pytest.raises(CorrectionProblem) as refused:
        check_new_mobile(raw)
    assert str(refused.value).startswith(says)


@pytest.mark.parametrize(
    ("raw", "taken"),
    [
        ("Inwoner@Voorbeeld.NL ", "inwoner@voorbeeld.nl"),
        ("a.b+c@mail.example.nl", "a.b+c@mail.example.nl"),
    ],
)
def test_an_email_address_is_saved_as_written_in_lower_case(raw, taken):
    assert check_new_email(raw) == taken


@pytest.mark.parametrize(
    "raw", ["", "geen-adres", "a@b", "a b@c.nl", "a@@b.nl", "x" * 250 + "@b.nl"]
)
def test_what_is_no_email_address_is_refused(raw):
    with pytest.raises(CorrectionProblem):
        check_new_email(raw)


def test_a_code_is_six_digits_leading_zeros_too():
    assert new_code(lambda _: 42) == "000042"
    assert len(new_code()) == 6 and new_code().isdigit()


def test_the_sms_says_the_code_and_how_long_it_works():
    text = code_sms("123456")
    assert "123456" in text and "30 minuten" in text
    assert len(text) <= 160  # one SMS


@pytest.mark.parametrize(("sent", "may"), [(0, True), (MAX_CODES - 1, True), (MAX_CODES, False)])
def test_a_few_codes_a_day_at_most(sent, may):
    assert may_send_code(sent) is may


def check(wrong: int = 0, e164: str = "+31612345678", follow_up_id: int = 5) -> PendingCheck:
    return PendingCheck(
        follow_up_id, e164, code_mac(SECRET, 5, "+31612345678", "123456"), wrong, NOW + CODE_VALID
    )


@pytest.mark.parametrize(
    ("pending", "given", "now", "verdict"),
    [
        (check(), "123456", NOW, Verdict.RIGHT),
        (check(), " 123 456 ", NOW, Verdict.RIGHT),  # as read aloud from the SMS
        (check(wrong=2), "123456", NOW, Verdict.RIGHT),  # the third try may be right
        (check(), "654321", NOW, Verdict.WRONG),
        (check(wrong=1), "654321", NOW, Verdict.WRONG),
        (check(wrong=2), "654321", NOW, Verdict.VOID),  # the third wrong one
        (check(), "", NOW, Verdict.WRONG),  # any text is a try
        (check(), "1234567", NOW, Verdict.WRONG),
        (check(), "123456" * 10_000, NOW, Verdict.WRONG),
        (check(), "123456", NOW + CODE_VALID, Verdict.EXPIRED),
        (check(), "123456", NOW + CODE_VALID - timedelta(seconds=1), Verdict.RIGHT),
        # A code is bound to its follow-up and its number.
        (check(follow_up_id=6), "123456", NOW, Verdict.WRONG),
        (check(e164="+31687654321"), "123456", NOW, Verdict.WRONG),
    ],
)
def test_what_a_code_does(pending, given, now, verdict):
    assert judge_code(SECRET, pending, given, now) is verdict


def test_the_code_is_not_what_is_stored():
    stored = code_mac(SECRET, 5, "+31612345678", "123456")
    assert "123456" not in stored
    assert stored != code_mac("another-secret", 5, "+31612345678", "123456")
