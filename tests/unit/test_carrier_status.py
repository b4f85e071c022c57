"""Statuses in order of meaning: late and repeated callbacks never move an attempt back."""

import pytest

from followup.rules.carrier_status import attempt_state, is_final, outranks
from followup.rules.domain import AttemptState, CarrierResource

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
