"""Statuses in order of meaning, and what a report does to its attempt: late and repeated
callbacks never move an attempt back."""

from datetime import UTC, datetime

import pytest

from followup.rules.attempt import AttemptProgress
from followup.rules.carrier_status import (
    Applied,
    StatusReport,
    adopt,
    advance,
    agent_missed,
    attempt_state,
    fits,
    is_final,
    outranks,
)
from followup.rules.domain import AttemptPurpose, AttemptState, CallLeg, CarrierResource, Channel

MESSAGE, CALL = CarrierResource.MESSAGE, CarrierResource.CALL


@pytest.mark.parametrize(
    ("resource", "new", "current", "expected"),
    [
        (MESSAGE, "queued", None, True),
        (MESSAGE, "sent", "queued", True),
        (MESSAGE, "delivered", "sent", True),
        (MESSAGE, "sent", "delivered", False),  # CONTRACT 5: delivered is never undone
        (MESSAGE, "queued", "sent", False),
        (MESSAGE, "sent", "sent", False),  # the same status twice changes nothing
        (MESSAGE, "undelivered", "sent", True),
        (MESSAGE, "delivered", "undelivered", False),  # the first final status stays
        (MESSAGE, "undelivered", "delivered", False),
        (MESSAGE, "read", "delivered", True),
        (MESSAGE, "delivered", "read", False),
        (MESSAGE, "made-up", None, False),  # an unknown status outranks nothing
        (MESSAGE, "sent", "made-up", True),
        (CALL, "ringing", "initiated", True),
        (CALL, "in-progress", "ringing", True),
        (CALL, "ringing", "in-progress", False),
        (CALL, "completed", "in-progress", True),
        (CALL, "in-progress", "completed", False),
        (CALL, "no-answer", "ringing", True),
        (CALL, "busy", "no-answer", False),
        (CALL, "initiated", None, True),
    ],
)
def test_outranks(resource, new, current, expected):
    assert outranks(resource, new, current) is expected


@pytest.mark.parametrize(
    ("resource", "status", "state", "final"),
    [
        (MESSAGE, "queued", AttemptState.SENT, False),
        (MESSAGE, "sent", AttemptState.SENT, False),
        (MESSAGE, "delivered", AttemptState.DELIVERED, True),
        (MESSAGE, "read", AttemptState.DELIVERED, True),
        (MESSAGE, "undelivered", AttemptState.FAILED, True),
        (MESSAGE, "failed", AttemptState.FAILED, True),
        (CALL, "ringing", AttemptState.SENT, False),
        (CALL, "in-progress", AttemptState.ANSWERED, False),
        (CALL, "completed", AttemptState.ANSWERED, True),
        (CALL, "busy", AttemptState.FAILED, True),
        (CALL, "no-answer", AttemptState.FAILED, True),
        (CALL, "failed", AttemptState.FAILED, True),
        (CALL, "canceled", AttemptState.FAILED, True),
    ],
)
def test_what_a_status_means_for_the_attempt(resource, status, state, final):
    assert attempt_state(resource, status) is state
    assert is_final(resource, status) is final


NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SENT, DELIVERED, ANSWERED, FAILED = (
    AttemptState.SENT,
    AttemptState.DELIVERED,
    AttemptState.ANSWERED,
    AttemptState.FAILED,
)


def attempt(channel: Channel = Channel.SMS, **changes) -> AttemptProgress:
    return AttemptProgress(
        id=1,
        follow_up_id=1,
        round_id=1,
        channel=channel,
        purpose=AttemptPurpose.OPENING,
        phone_number_id=1,
        to_address="+31612345678",
        state=changes.pop("state", SENT),
        tries=1,
        due_at=NOW,
        **changes,
    )


def report(status: str, resource=MESSAGE, **fields) -> StatusReport:
    return StatusReport(resource=resource, sid="SM1", status=status, **fields)


@pytest.mark.parametrize(
    ("before", "status", "state", "carrier_status", "finished", "applied"),
    [
        (attempt(carrier_status="queued"), "sent", SENT, "sent", False, Applied.APPLIED),
        (
            attempt(carrier_status="sent"),
            "delivered",
            DELIVERED,
            "delivered",
            True,
            Applied.APPLIED,
        ),
        (
            attempt(state=DELIVERED, carrier_status="delivered"),
            "sent",
            DELIVERED,
            "delivered",
            False,
            Applied.OUTRANKED,
        ),
        (attempt(carrier_status="sent"), "undelivered", SENT, "undelivered", False, Applied.FAILED),
        # A failure told about an attempt that already ended another way changes no state.
        (
            attempt(state=FAILED, carrier_status="sent"),
            "undelivered",
            FAILED,
            "undelivered",
            False,
            Applied.APPLIED,
        ),
        (
            attempt(Channel.CALL, carrier_status="ringing"),
            "in-progress",
            ANSWERED,
            "in-progress",
            False,
            Applied.APPLIED,
        ),
        (
            attempt(Channel.CALL, state=ANSWERED, carrier_status="in-progress"),
            "completed",
            ANSWERED,
            "completed",
            True,
            Applied.APPLIED,
        ),
        (
            attempt(Channel.CALL, carrier_status="ringing"),
            "no-answer",
            SENT,
            "no-answer",
            False,
            Applied.FAILED,
        ),
        # Sending, not yet recorded as sent: the status is kept, the state is the dialer's.
        (
            attempt(state=AttemptState.SENDING),
            "delivered",
            AttemptState.SENDING,
            "delivered",
            True,
            Applied.APPLIED,
        ),
    ],
)
def test_what_a_report_does_to_its_attempt(
    before, status, state, carrier_status, finished, applied
):
    resource = CALL if before.channel is Channel.CALL else MESSAGE
    after, result = advance(before, report(status, resource), NOW)
    assert (after.state, after.carrier_status, result) == (state, carrier_status, applied)
    assert after.finished_at == (NOW if finished else None)


def test_call_details_are_kept_even_from_an_outranked_report():
    answered = attempt(Channel.CALL, state=ANSWERED, carrier_status="completed")
    late = report(
        "in-progress", CALL, sip_response_code=200, duration_seconds=42, answered_by="human"
    )
    after, result = advance(answered, late, NOW)
    assert result is Applied.OUTRANKED
    assert (after.sip_response_code, after.duration_seconds, after.answered_by) == (
        200,
        42,
        "human",
    )


@pytest.mark.parametrize(
    ("before", "agent_leg", "state", "carrier_sid", "agent_leg_sid"),
    [
        (attempt(state=AttemptState.SENDING), False, SENT, "SM9", None),  # the worker died
        (attempt(state=AttemptState.QUEUED), False, SENT, "SM9", None),  # sent after all
        (attempt(state=FAILED), False, FAILED, "SM9", None),
        (attempt(carrier_sid="SM1"), False, SENT, "SM1", None),  # one SID stays
        (attempt(Channel.CALL, state=AttemptState.SENDING), True, SENT, None, "SM9"),
        (attempt(Channel.CALL, state=SENT, agent_leg_sid="CA1"), True, SENT, None, "CA1"),
    ],
)
def test_a_reported_sid_is_adopted_by_an_attempt_without_one(
    before, agent_leg, state, carrier_sid, agent_leg_sid
):
    after = adopt(before, "SM9", NOW, agent_leg=agent_leg)
    assert (after.state, after.carrier_sid, after.agent_leg_sid) == (
        state,
        carrier_sid,
        agent_leg_sid,
    )


@pytest.mark.parametrize(
    ("before", "status", "missed"),
    [
        (attempt(Channel.CALL, agent_leg_sid="CA1"), "no-answer", True),
        (attempt(Channel.CALL, agent_leg_sid="CA1"), "busy", True),
        (attempt(Channel.CALL, agent_leg_sid="CA1"), "completed", False),
        # The resident's leg was dialled: the agent did pick up.
        (attempt(Channel.CALL, agent_leg_sid="CA1", carrier_sid="CA2"), "no-answer", False),
        (attempt(Channel.CALL, state=FAILED, agent_leg_sid="CA1"), "no-answer", False),
    ],
)
def test_an_agent_who_did_not_pick_up(before, status, missed):
    assert agent_missed(before, report(status, CALL, leg=CallLeg.AGENT)) is missed


@pytest.mark.parametrize(
    ("before", "about", "fits_it"),
    [
        (attempt(), report("sent"), True),
        (attempt(carrier_sid="SM1"), report("sent"), True),
        (attempt(carrier_sid="SM2"), report("sent"), False),  # another message
        (attempt(Channel.CALL), report("sent"), False),  # a message report for a call
        (
            attempt(Channel.CALL, agent_leg_sid="SM1"),
            report("ringing", CALL, leg=CallLeg.AGENT),
            True,
        ),
        (
            attempt(Channel.CALL, agent_leg_sid="CA0"),
            report("ringing", CALL, leg=CallLeg.AGENT),
            False,
        ),
    ],
)
def test_which_attempt_a_report_fits(before, about, fits_it):
    assert fits(before, about) is fits_it
