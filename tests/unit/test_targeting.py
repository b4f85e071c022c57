"""Where an attempt goes when it is sent, and which channel takes over from a wrong number."""

import pytest

from followup.rules.domain import AttemptPurpose, Channel
from followup.rules.targeting import (
    Number,
    Reach,
    Target,
    Unsendable,
    choose_target,
    own_address,
    target_at_claim,
)

MOBILE = Number(1, "+31612345678", can_sms=True, can_call=True)
OTHER_MOBILE = Number(2, "+31687654321", can_sms=True, can_call=True)
LANDLINE = Number(3, "+31503671234", can_sms=False, can_call=True)
BLOCKED_MOBILE = Number(4, "+31611111111", can_sms=False, can_call=True)  # carrier said 21614
MAIL = "inwoner@example.nl"
OPENING, REMINDER, CALL, CALLBACK = (
    AttemptPurpose.OPENING,
    AttemptPurpose.REMINDER,
    AttemptPurpose.CALL,
    AttemptPurpose.CALLBACK,
)


@pytest.mark.parametrize(
    ("purpose", "reach", "expected"),
    [
        (OPENING, Reach((MOBILE,), None), Target(Channel.SMS, number=MOBILE)),
        (OPENING, Reach((MOBILE,), MAIL), Target(Channel.SMS, number=MOBILE)),
        (
            OPENING,
            Reach((MOBILE,), MAIL, preferred=Channel.EMAIL),
            Target(Channel.EMAIL, email=MAIL),
        ),
        (OPENING, Reach((LANDLINE,), MAIL), Target(Channel.EMAIL, email=MAIL)),
        (OPENING, Reach((LANDLINE,), None), None),
        (OPENING, Reach((), None), None),
        # The primary number proved wrong and was dropped: the second mobile takes over.
        (OPENING, Reach((OTHER_MOBILE,), MAIL), Target(Channel.SMS, number=OTHER_MOBILE)),
        # A mobile that cannot take SMS any more: the next mobile, then e-mail.
        (
            REMINDER,
            Reach((BLOCKED_MOBILE, OTHER_MOBILE), None),
            Target(Channel.SMS, number=OTHER_MOBILE),
        ),
        (REMINDER, Reach((BLOCKED_MOBILE,), MAIL), Target(Channel.EMAIL, email=MAIL)),
        (CALL, Reach((LANDLINE, MOBILE), MAIL), Target(Channel.CALL, number=LANDLINE)),
        (CALL, Reach((BLOCKED_MOBILE,), None), Target(Channel.CALL, number=BLOCKED_MOBILE)),
        (CALL, Reach((), MAIL), None),  # a call never turns into an e-mail
        (CALLBACK, Reach((MOBILE,), None), Target(Channel.CALL, number=MOBILE)),
    ],
)
def test_choose_target(purpose, reach, expected):
    assert choose_target(purpose, reach) == expected


def test_profile_of_reach():
    profile = Reach((BLOCKED_MOBILE,), MAIL, Channel.CALL).profile
    assert (profile.can_sms, profile.can_call, profile.has_email) == (False, True, True)
    assert profile.preferred is Channel.CALL


def test_target_address():
    assert Target(Channel.SMS, number=MOBILE).address == MOBILE.e164
    assert Target(Channel.EMAIL, email=MAIL).address == MAIL


@pytest.mark.parametrize(
    ("reach", "contactable", "expected"),
    [
        (Reach((MOBILE,), None), True, Target(Channel.SMS, number=MOBILE)),
        (Reach((MOBILE,), None), False, Unsendable.FOLLOW_UP_CLOSED),
        (Reach((MOBILE,), None, opted_out=True), True, Unsendable.OPTED_OUT),
        (Reach((MOBILE,), None, opted_out=True), False, Unsendable.FOLLOW_UP_CLOSED),
        (Reach((LANDLINE,), None), True, Unsendable.NO_ADDRESS),
    ],
)
def test_where_a_claimed_attempt_goes_or_why_not(reach, contactable, expected):
    assert target_at_claim(OPENING, reach, contactable) == expected


def test_a_code_for_a_new_number_goes_to_that_number_and_nowhere_else():
    """The SMS with the code for a number the resident gave on the response page: on none of
    the resident's lists, so it keeps the address it was queued with."""
    own = own_address(AttemptPurpose.AGENT_MESSAGE, Channel.SMS, None, "+31699999999")
    reach = Reach((MOBILE,), MAIL)
    target = target_at_claim(AttemptPurpose.AGENT_MESSAGE, reach, True, own)
    assert target == Target(Channel.SMS, to="+31699999999")
    assert target.address == "+31699999999"
    stopped_by = target_at_claim(
        AttemptPurpose.AGENT_MESSAGE, Reach((), None, opted_out=True), True, own
    )
    assert stopped_by is Unsendable.OPTED_OUT


@pytest.mark.parametrize(
    ("purpose", "channel", "number_id", "to"),
    [
        # Requeued after it was sent: the resident's number.
        (AttemptPurpose.AGENT_MESSAGE, Channel.SMS, 11, "+31612345678"),
        (AttemptPurpose.AGENT_MESSAGE, Channel.SMS, None, None),  # its number comes at the claim
        (OPENING, Channel.SMS, None, "+31612345678"),
        (AttemptPurpose.AGENT_MESSAGE, Channel.EMAIL, None, MAIL),
        (CALL, Channel.CALL, None, "+31612345678"),
    ],
)
def test_every_other_attempt_has_no_address_of_its_own(purpose, channel, number_id, to):
    assert own_address(purpose, channel, number_id, to) is None
