"""The simulated carrier's behaviour by destination (CONTRACT section 6), as a table."""

import pytest

from dialer.sim.behaviour import (
    CallFate,
    CallStatus,
    Rejection,
    SmsFate,
    call_fate,
    destination,
    dial_fate,
    num_segments,
    sms_fate,
)

ANSWERED = CallFate(CallStatus.IN_PROGRESS)
NO_ANSWER = CallFate(CallStatus.NO_ANSWER)
BUSY = CallFate(CallStatus.BUSY)
DIAL_FAILED = CallFate(CallStatus.FAILED, 13224)


def code(fate: object) -> object:
    return fate.code if isinstance(fate, Rejection) else fate


@pytest.mark.parametrize(
    ("number", "sms", "call", "dial"),
    [
        ("+31612345678", SmsFate("delivered"), ANSWERED, ANSWERED),
        ("06 12 34 56 78", SmsFate("delivered"), ANSWERED, ANSWERED),
        ("+4915112345678", SmsFate("delivered"), ANSWERED, ANSWERED),
        ("+31201234567", 21614, ANSWERED, ANSWERED),  # landline
        ("+31851234567", 21614, ANSWERED, ANSWERED),  # VoIP
        ("+31612340000", 21211, 21211, DIAL_FAILED),
        ("0612", 21211, 21211, DIAL_FAILED),
        ("geen nummer", 21211, 21211, DIAL_FAILED),
        ("+31612340005", SmsFate("undelivered", 30005), ANSWERED, ANSWERED),
        ("+31612340003", SmsFate("undelivered", 30003), ANSWERED, ANSWERED),
        ("+31612340001", SmsFate("delivered"), NO_ANSWER, NO_ANSWER),
        ("+31612340002", SmsFate("delivered"), BUSY, BUSY),
        ("+31201230002", 21614, BUSY, BUSY),
    ],
)
def test_behaviour_follows_the_destination(number, sms, call, dial):
    to = destination(number)
    assert code(sms_fate(to)) == sms
    assert code(call_fate(to)) == call
    assert dial_fate(to) == dial


@pytest.mark.parametrize(
    ("number", "valid", "line_type", "errors"),
    [
        ("+31612345678", True, "mobile", []),
        ("+31201234567", True, "landline", []),
        ("+31851234567", True, "nonFixedVoip", []),
        ("+31800123456", True, "tollFree", []),
        ("+31612340000", False, None, ["INVALID_BUT_POSSIBLE"]),
        ("+3161", False, None, ["TOO_SHORT"]),
        ("geen nummer", False, None, ["NOT_A_NUMBER"]),
    ],
)
def test_lookup_facts(number, valid, line_type, errors):
    to = destination(number)
    assert (to.valid, to.line_type, to.validation_errors()) == (valid, line_type, errors)


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        ("Hallo", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("€" * 80, 1),  # two septets each
        ("€" * 81, 2),
        ("beëindigd", 1),  # ë is not in the GSM alphabet: UCS-2
        ("ë" * 70, 1),
        ("ë" * 71, 2),
    ],
)
def test_segments(body, segments):
    assert num_segments(body) == segments


def test_refusals_never_name_the_number():
    for number in ("+31612340000", "+31201234567"):
        refusal = sms_fate(destination(number))
        assert isinstance(refusal, Rejection) and number not in refusal.message
