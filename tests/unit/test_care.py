"""The care signal's rules, as tables: the form, who may mark and hand over, what stops for a
marked resident (at the claim and again before sending), and what their SMS reply does."""

from datetime import date, timedelta

import pytest

from followup.rules.care import (
    CareMark,
    CareProblem,
    MarkedReply,
    check_mark,
    is_overdue,
    may_hand_over,
    may_mark,
    reply_of_marked,
    stops,
)
from followup.rules.domain import AttemptPurpose, Role
from followup.rules.sms_replies import ReplyKind
from followup.rules.targeting import Number, Reach, Unsendable, stopped, target_at_claim

TODAY = date(2026, 11, 23)
COLLEAGUES = {7, 8}


@pytest.mark.parametrize(
    ("colleague", "deadline", "expected"),
    [
        (7, TODAY, CareMark(7, TODAY)),
        (8, TODAY + timedelta(weeks=6), CareMark(8, TODAY + timedelta(weeks=6))),
        (None, TODAY, "Kies de collega"),
        (9, TODAY, "Kies de collega"),  # disabled or unknown
        (7, None, "Vul een datum in"),
        (7, TODAY - timedelta(days=1), "in het verleden"),
        (7, TODAY + timedelta(weeks=6, days=1), "te ver weg"),
    ],
)
def test_the_form(colleague, deadline, expected):
    if isinstance(expected, CareMark):
        assert check_mark(colleague, deadline, TODAY, COLLEAGUES) == expected
    else:
        with pytest.raises(CareProblem, match=expected):
            check_mark(colleague, deadline, TODAY, COLLEAGUES)


@pytest.mark.parametrize(
    ("role", "expected"), [(Role.AGENT, True), (Role.COORDINATOR, True), (Role.ADMIN, False)]
)
def test_who_may_mark(role, expected):
    assert may_mark(role) is expected


@pytest.mark.parametrize(
    ("role", "user_id", "colleague_id", "expected"),
    [
        (Role.AGENT, 7, 7, True),  # the named colleague
        (Role.AGENT, 8, 7, False),  # another agent
        (Role.AGENT, 8, None, False),  # the colleague's account is gone
        (Role.COORDINATOR, 8, 7, True),
        (Role.ADMIN, 8, 7, True),
    ],
)
def test_who_may_hand_over(role, user_id, colleague_id, expected):
    assert may_hand_over(role, user_id, colleague_id) is expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [(TODAY - timedelta(days=1), False), (TODAY, False), (TODAY + timedelta(days=1), True)],
)
def test_overdue_after_the_deadline_day(today, expected):
    assert is_overdue(TODAY, today) is expected


@pytest.mark.parametrize(
    ("purpose", "expected"),
    [
        (AttemptPurpose.OPENING, True),
        (AttemptPurpose.REMINDER, True),
        (AttemptPurpose.CONFIRMATION, True),
        # Started by a person after the mark: an agent's SMS, a call an agent took.
        (AttemptPurpose.AGENT_MESSAGE, False),
        (AttemptPurpose.CALL, False),
        (AttemptPurpose.CALLBACK, False),
    ],
)
def test_what_stops(purpose, expected):
    assert stops(purpose) is expected


MOBILE = Number(1, "+31612345678", can_sms=True, can_call=True)


@pytest.mark.parametrize(
    ("purpose", "reach", "contactable", "expected"),
    [
        (AttemptPurpose.OPENING, Reach((MOBILE,), None), True, None),
        (AttemptPurpose.OPENING, Reach((MOBILE,), None, care=True), True, Unsendable.CARE),
        (AttemptPurpose.REMINDER, Reach((MOBILE,), None, care=True), True, Unsendable.CARE),
        (AttemptPurpose.AGENT_MESSAGE, Reach((MOBILE,), None, care=True), True, None),
        (AttemptPurpose.CALL, Reach((MOBILE,), None, care=True), True, None),
        # Closed and opted out say more than care: they hold whatever else happens.
        (
            AttemptPurpose.OPENING,
            Reach((MOBILE,), None, care=True),
            False,
            Unsendable.FOLLOW_UP_CLOSED,
        ),
        (
            AttemptPurpose.OPENING,
            Reach((MOBILE,), None, opted_out=True, care=True),
            True,
            Unsendable.OPTED_OUT,
        ),
    ],
)
def test_stopped_at_the_claim_and_before_sending(purpose, reach, contactable, expected):
    assert stopped(purpose, reach, contactable) is expected
    if expected is not None:
        assert target_at_claim(purpose, reach, contactable) is expected


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (ReplyKind.OPT_OUT, MarkedReply.OPT_OUT),
        (ReplyKind.OUTCOME, MarkedReply.REVIEW),
        (ReplyKind.CALL_ME, MarkedReply.REVIEW),
        (ReplyKind.OPT_IN, MarkedReply.REVIEW),
        (ReplyKind.OTHER, MarkedReply.REVIEW),
    ],
)
def test_a_marked_residents_reply(kind, expected):
    assert reply_of_marked(kind) is expected
