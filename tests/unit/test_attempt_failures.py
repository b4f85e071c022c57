"""What a failed attempt leads to, as a table: every kind of failure, on every channel, before
and after the carrier took it, and what takes over when a number or address is wrong."""

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from followup.rules import attempt_failures as rules
from followup.rules.attempt import AttemptProgress
from followup.rules.attempt_failures import Flag, FlagKind, FollowOn, Recovery
from followup.rules.carrier_errors import Failure, Rejected
from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import AttemptPurpose, AttemptState, Channel, EvidenceSource
from followup.rules.planning_rules import PlanningRules
from followup.rules.targeting import Number, Reach

ZONE = ZoneInfo("Europe/Amsterdam")
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZONE)  # inside every contact window
FRIDAY_LATE = datetime(2026, 11, 27, 19, 59, 45, tzinfo=ZONE)  # as the windows close
CLOSED = datetime(2026, 11, 27, 20, 0, tzinfo=ZONE)  # Friday evening: every window shut
MONDAY_OPENS = datetime(2026, 11, 30, 9, 0, tzinfo=ZONE)  # the call window after it
SATURDAY_OPENS = datetime(2026, 11, 28, 9, 0, tzinfo=ZONE)  # messages go out on Saturdays
RECOVERY = Recovery(PlanningRules(), ContactCalendar(ZONE), jitter=lambda: 0.0)
SENDING, QUEUED, FAILED = AttemptState.SENDING, AttemptState.QUEUED, AttemptState.FAILED
CARRIER, DELIVERY = EvidenceSource.CARRIER_ERROR, EvidenceSource.DELIVERY_ERROR
CALL, EMAIL = Channel.CALL, Channel.EMAIL
BAD, NO_SMS, T = Failure.INVALID_ADDRESS, Failure.NOT_MOBILE, Failure.TRANSIENT
WRONG, SMS_OFF, WRONG_MAIL = FlagKind.WRONG_NUMBER, FlagKind.NO_SMS, FlagKind.WRONG_EMAIL
MINUTE = timedelta(minutes=1)
SOON = MONDAY + MINUTE / 2  # the shortest backoff
DUE = MONDAY - MINUTE  # when the failing attempt was due


def attempt(channel: Channel = Channel.SMS, **changes) -> AttemptProgress:
    purpose = AttemptPurpose.CALL if channel is Channel.CALL else AttemptPurpose.OPENING
    sending = AttemptProgress(
        id=7,
        follow_up_id=3,
        round_id=2,
        channel=channel,
        purpose=purpose,
        phone_number_id=None if channel is Channel.EMAIL else 11,
        to_address="x",
        state=SENDING,
        tries=1,
        due_at=DUE,
        sending_at=MONDAY,
    )
    return replace(sending, **changes)


def rejected(failure: Failure, code: int | None = None, source=CARRIER) -> Rejected:
    return Rejected(failure, code, "waarom", source)


@pytest.mark.parametrize(
    ("failing", "why", "now", "state", "due_at", "tries", "follow_on", "flag", "lost"),
    [
        # Unclear whether it went: it stays `sending` until the carrier is asked.
        (attempt(), rejected(Failure.UNCERTAIN), MONDAY, SENDING, DUE, 1, None, None, False),
        # Our own credentials: back in the queue as it was, and no try of the resident's.
        (attempt(), rejected(Failure.ACCOUNT, 20003), MONDAY, QUEUED, DUE, 0, None, None, False),
        # The carrier or mail server is down: back in the queue, behind the attempts due
        # before now, and no try of the resident's, however many times it happens.
        (attempt(), rejected(Failure.UNREACHABLE), MONDAY, QUEUED, MONDAY, 0, None, None, False),
        (attempt(tries=4), rejected(Failure.UNREACHABLE), DUE, QUEUED, DUE, 3, None, None, False),
        # Nothing was sent: the same attempt again after the backoff (half a minute at least).
        (attempt(), rejected(T), MONDAY, QUEUED, SOON, 1, None, None, False),
        # The backoff ends outside the window: the next moment the window is open.
        (attempt(), rejected(T), FRIDAY_LATE, QUEUED, SATURDAY_OPENS, 1, None, None, False),
        (attempt(CALL), rejected(T), FRIDAY_LATE, QUEUED, MONDAY_OPENS, 1, None, None, False),
        # The carrier has it under a SID: a new attempt carries the next try.
        (
            attempt(carrier_sid="SM1", tries=2),
            rejected(Failure.TRANSIENT, 30003, DELIVERY),
            MONDAY,
            FAILED,
            DUE,
            2,
            FollowOn(Channel.SMS, MONDAY + MINUTE, 2),
            None,
            False,
        ),
        # The last try: given up.
        (attempt(tries=4), rejected(T), MONDAY, FAILED, DUE, 4, None, None, False),
        (attempt(), rejected(Failure.PERMANENT, 21602), MONDAY, FAILED, DUE, 1, None, None, False),
        # An attempt that never had a number of its own has none to flag.
        (attempt(phone_number_id=None), rejected(BAD), MONDAY, FAILED, DUE, 1, None, None, True),
    ],
)  # fmt: skip
def test_what_a_failure_leads_to(failing, why, now, state, due_at, tries, follow_on, flag, lost):
    decision = rules.decide(failing, why, now, RECOVERY)
    failed = decision.attempt
    assert (failed.state, failed.due_at, failed.tries) == (state, due_at, tries)
    assert (decision.follow_on, decision.flag, decision.contact_lost) == (follow_on, flag, lost)
    assert failed.finished_at == (now if state is FAILED else None)
    assert failed.sending_at == (None if state is QUEUED else MONDAY)
    assert (failed.error_code, failed.error_message[:6]) == (why.code, "waarom")
    assert not decision.opted_out


@pytest.mark.parametrize(
    ("channel", "failure", "code", "source", "kind"),
    [
        (Channel.SMS, BAD, 21211, CARRIER, WRONG),
        (Channel.SMS, NO_SMS, 21614, CARRIER, SMS_OFF),  # calling it is still possible
        (EMAIL, BAD, 550, CARRIER, WRONG_MAIL),
        (CALL, BAD, None, DELIVERY, WRONG),
    ],
)
def test_proof_of_a_wrong_number_or_address_flags_it(channel, failure, code, source, kind):
    decision = rules.decide(attempt(channel), rejected(failure, code, source), MONDAY, RECOVERY)
    assert (decision.attempt.state, decision.attempt.finished_at) == (FAILED, MONDAY)
    assert decision.flag == Flag(kind, f"carrier_{code}" if code else "carrier", source, "waarom")
    assert (decision.contact_lost, decision.follow_on, decision.opted_out) == (True, None, False)


def test_giving_up_says_so_after_the_tries():
    decision = rules.decide(attempt(tries=4), rejected(T), MONDAY, RECOVERY)
    assert decision.attempt.error_message == "waarom (opgegeven na 4 keer)"


def test_an_opt_out_at_the_carrier_stops_contact_and_flags_nothing():
    decision = rules.decide(attempt(), rejected(Failure.OPTED_OUT, 21610), MONDAY, RECOVERY)
    assert decision.attempt.state is FAILED
    assert (decision.opted_out, decision.contact_lost, decision.flag) == (True, True, None)


def test_a_long_detail_is_cut_to_what_the_record_holds():
    decision = rules.decide(attempt(), Rejected(Failure.PERMANENT, 1, "x" * 300), MONDAY, RECOVERY)
    assert len(decision.attempt.error_message) == rules.MAX_DETAIL


MOBILE = Number(1, "+31612345678", can_sms=True, can_call=True)
LANDLINE = Number(2, "+31503671234", can_sms=False, can_call=True)
MAIL = "inwoner@example.nl"


@pytest.mark.parametrize(
    ("purpose", "reach", "now", "expected"),
    [
        (AttemptPurpose.OPENING, Reach((MOBILE,), MAIL), MONDAY, FollowOn(Channel.SMS, MONDAY, 0)),
        (AttemptPurpose.OPENING, Reach((), MAIL), MONDAY, FollowOn(Channel.EMAIL, MONDAY, 0)),
        (AttemptPurpose.OPENING, Reach((LANDLINE,), None), MONDAY, None),  # no SMS, no e-mail
        (AttemptPurpose.CALL, Reach((LANDLINE,), None), MONDAY, FollowOn(Channel.CALL, MONDAY, 0)),
        (AttemptPurpose.CALL, Reach((), MAIL), MONDAY, None),  # a call needs a number
        (AttemptPurpose.OPENING, Reach((MOBILE,), MAIL, opted_out=True), MONDAY, None),
        # Outside the window: when it opens.
        (AttemptPurpose.CALL, Reach((LANDLINE,), None), CLOSED, FollowOn(CALL, MONDAY_OPENS, 0)),
    ],
)  # fmt: skip
def test_what_takes_over_from_a_wrong_number(purpose, reach, now, expected):
    assert rules.fallback(purpose, reach, now, RECOVERY) == expected


def test_an_agent_who_does_not_pick_up_puts_the_call_back_in_the_queue():
    ringing = attempt(Channel.CALL, state=AttemptState.SENT, agent_leg_sid="CA1", tries=1)
    decision = rules.agent_missed(ringing, MONDAY)
    assert (decision.attempt.state, decision.attempt.error_message) == (
        FAILED,
        "medewerker nam niet op",
    )
    # Due at once, for whoever takes it, and no try of the resident's.
    assert decision.follow_on == FollowOn(Channel.CALL, MONDAY, 0)


def test_a_resident_no_longer_to_be_called_ends_the_call_attempt():
    ringing = attempt(Channel.CALL, state=AttemptState.SENT, agent_leg_sid="CA1")
    ended = rules.no_longer_callable(ringing, MONDAY)
    assert (ended.state, ended.finished_at, ended.error_message) == (
        FAILED,
        MONDAY,
        "niet meer te bellen",
    )


@pytest.mark.parametrize(
    "failure",
    [
        rejected(BAD, 21211),
        rejected(NO_SMS, 21614),
        rejected(Failure.OPTED_OUT, 21610),
        rejected(T),
    ],
)
def test_a_code_to_a_number_being_checked_ends_with_its_failure(failure):
    """On no list of the resident's: nothing to flag, no opt-out of theirs, no other channel
    (the code is for that number), no new attempt; the resident asks for a new code."""
    code = attempt(purpose=AttemptPurpose.AGENT_MESSAGE, phone_number_id=None, carrier_sid="SM1")
    decision = rules.decide(code, failure, MONDAY, RECOVERY)
    assert decision.attempt.state is FAILED
    assert (decision.follow_on, decision.flag, decision.opted_out, decision.contact_lost) == (
        None,
        None,
        False,
        False,
    )
