"""The token bucket spaces sends exactly, with a clock the test controls."""

import asyncio
import time

import pytest

from dialer.rate_limit import TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_reservations_are_spaced_one_over_rate_apart():
    clock = Clock()
    bucket = TokenBucket(rate=10, clock=clock)
    waits = [bucket.reserve() for _ in range(5)]
    assert waits == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4])


def test_tokens_refill_with_time_up_to_the_burst():
    clock = Clock()
    bucket = TokenBucket(rate=2, burst=3, clock=clock)
    assert [bucket.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.reserve() == pytest.approx(0.5)
    clock.now += 10  # a long pause fills the bucket to its burst, not beyond
    assert [bucket.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.reserve() == pytest.approx(0.5)


def test_waiting_senders_keep_the_rate():
    clock = Clock()
    bucket = TokenBucket(rate=4, clock=clock)
    bucket.reserve()
    clock.now += 0.1
    assert bucket.reserve() == pytest.approx(0.15)


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (-1, 1), (1, 0)])
def test_impossible_buckets_are_refused(rate, burst):
    with pytest.raises(ValueError):
        TokenBucket(rate=rate, burst=burst)


async def test_take_sleeps_until_the_token_is_due():
    bucket = TokenBucket(rate=50)
    start = time.monotonic()
    await asyncio.gather(*(bucket.take() for _ in range(6)))
    assert time.monotonic() - start >= 5 / 50 * 0.9
