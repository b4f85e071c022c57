"""The retry policy as a table: capped exponential backoff with equal jitter, transient only."""

from datetime import timedelta

import pytest

from followup.rules.carrier_errors import Failure
from followup.rules.retry import RetryPolicy

POLICY = RetryPolicy(max_tries=5, first_delay=timedelta(minutes=1), max_delay=timedelta(minutes=10))
S = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("failure", "tries", "jitter", "expected"),
    [
        (Failure.TRANSIENT, 1, 0.0, 30 * S),  # half the first backoff at the least
        (Failure.TRANSIENT, 1, 0.5, 45 * S),
        (Failure.TRANSIENT, 1, 0.999999, 60 * S - timedelta(microseconds=30)),
        (Failure.TRANSIENT, 2, 0.0, 60 * S),  # doubles
        (Failure.TRANSIENT, 3, 0.0, 120 * S),
        (Failure.TRANSIENT, 4, 0.0, 240 * S),
        (Failure.TRANSIENT, 4, 0.5, 360 * S),
        (Failure.TRANSIENT, 5, 0.0, None),  # the fifth try was the last
        (Failure.TRANSIENT, 9, 0.0, None),
        (Failure.UNCERTAIN, 1, 0.0, None),  # ask the carrier first, never blindly retry
        (Failure.INVALID_ADDRESS, 1, 0.0, None),
        (Failure.NOT_MOBILE, 1, 0.0, None),
        (Failure.OPTED_OUT, 1, 0.0, None),
        (Failure.PERMANENT, 1, 0.0, None),
        (Failure.ACCOUNT, 1, 0.0, None),
    ],
)
def test_next_delay(failure, tries, jitter, expected):
    assert POLICY.next_delay(failure, tries, jitter) == expected


def test_backoff_is_capped():
    policy = RetryPolicy(
        max_tries=20, first_delay=timedelta(minutes=1), max_delay=timedelta(minutes=10)
    )
    assert policy.next_delay(Failure.TRANSIENT, 15, 0.0) == timedelta(minutes=5)
    assert policy.next_delay(Failure.TRANSIENT, 15, 0.5) == timedelta(minutes=7, seconds=30)


def test_defaults_spread_four_tries_over_minutes():
    policy = RetryPolicy()
    delays = [policy.next_delay(Failure.TRANSIENT, n, 0.0) for n in (1, 2, 3, 4)]
    assert delays == [timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2), None]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"max_tries": 0}, "max_tries"),
        ({"first_delay": timedelta(0)}, "first_delay"),
        ({"first_delay": timedelta(hours=2), "max_delay": timedelta(hours=1)}, "first_delay"),
    ],
)
def test_impossible_policies_are_refused(arguments, message):
    with pytest.raises(ValueError, match=message):
        RetryPolicy(**arguments)


@pytest.mark.parametrize(("tries", "jitter"), [(0, 0.0), (1, -0.1), (1, 1.0)])
def test_arguments_out_of_range_are_refused(tries, jitter):
    with pytest.raises(ValueError):
        POLICY.next_delay(Failure.TRANSIENT, tries, jitter)
