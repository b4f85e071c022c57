"""Which answers show the carrier or mail server failing, and how a failing channel is probed."""

from datetime import UTC, date, datetime, timedelta

import pytest

from followup.rules.carrier_errors import Failure
from followup.rules.domain import Channel
from followup.rules.outages import (
    ChannelHealth,
    Gate,
    ProbePolicy,
    Verdict,
    after,
    gate,
    is_outage,
    outage_text,
    verdict,
)

NOW = datetime(2026, 11, 23, 13, 2, tzinfo=UTC)
SECOND = timedelta(seconds=1)
POLICY = ProbePolicy(first_delay=15 * SECOND, max_delay=timedelta(minutes=10))


@pytest.mark.parametrize(
    ("failure", "outage"),
    [
        (None, False),  # accepted
        (Failure.UNREACHABLE, True),  # refused connection, DNS, timeout before DATA, 421
        (Failure.UNCERTAIN, True),  # a 5xx, a timeout, garbage: no clear answer
        (Failure.TRANSIENT, False),  # a 429 or a 4xx for one mailbox: it answered clearly
        (Failure.INVALID_ADDRESS, False),  # about the resident's number or address
        (Failure.NOT_MOBILE, False),
        (Failure.OPTED_OUT, False),
        (Failure.PERMANENT, False),
        (Failure.ACCOUNT, False),  # our credentials: sending stops, another matter
    ],
)
def test_what_counts_as_an_outage(failure, outage):
    assert is_outage(failure) is outage


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ([], None),
        ([None], Verdict.WORKING),
        ([Failure.UNREACHABLE, Failure.UNCERTAIN], Verdict.FAILING),
        # One clear answer proves it works; the others were the residents' own trouble or a
        # hiccup the reconciler settles.
        ([Failure.UNCERTAIN, Failure.INVALID_ADDRESS], Verdict.WORKING),
        ([Failure.UNREACHABLE, None], Verdict.WORKING),
    ],
)
def test_a_batch_of_answers_says_whether_the_channel_works(answers, expected):
    assert verdict(answers) is expected


@pytest.mark.parametrize(
    ("failures", "delay"),
    [(1, 15), (2, 30), (3, 60), (6, 480), (7, 600), (40, 600)],
)
def test_probes_back_off_exponentially_up_to_a_cap(failures, delay):
    assert POLICY.delay(failures) == delay * SECOND


def test_a_failing_channel_waits_then_is_probed_then_opens_on_a_clear_answer():
    health = ChannelHealth(Channel.SMS)
    assert gate(health, NOW) is Gate.OPEN
    health = after(health, Verdict.FAILING, "unreachable", NOW, POLICY)
    assert (health.failing_since, health.failures, health.next_try) == (NOW, 1, NOW + 15 * SECOND)
    assert gate(health, NOW + 14 * SECOND) is Gate.WAIT
    assert gate(health, NOW + 15 * SECOND) is Gate.PROBE
    later = NOW + 15 * SECOND
    health = after(health, Verdict.FAILING, "uncertain", later, POLICY)
    # Failing since the first failure, and the next wait is twice as long.
    assert (health.failing_since, health.failures) == (NOW, 2)
    assert (health.last_error_kind, health.next_try) == ("uncertain", later + 30 * SECOND)
    health = after(health, Verdict.WORKING, None, later + 45 * SECOND, POLICY)
    assert health == ChannelHealth(Channel.SMS, last_try=later + 45 * SECOND)
    assert gate(health, later + 45 * SECOND) is Gate.OPEN


@pytest.mark.parametrize(
    ("channel", "since", "waiting", "text"),
    [
        (
            Channel.SMS,
            datetime(2026, 11, 23, 14, 2),
            37,
            "De sms-dienst is sinds 14:02 niet bereikbaar. "
            "37 berichten wachten en gaan vanzelf weg als hij weer werkt.",
        ),
        (
            Channel.EMAIL,
            datetime(2026, 11, 22, 9, 30),
            1,
            "De mailserver is sinds 22-11 09:30 niet bereikbaar. "
            "1 e-mail wacht en gaat vanzelf weg als hij weer werkt.",
        ),
        (
            Channel.CALL,
            datetime(2026, 11, 23, 14, 2),
            2,
            "De beldienst is sinds 14:02 niet bereikbaar. "
            "2 gesprekken wachten en starten vanzelf als hij weer werkt.",
        ),
        (
            Channel.SMS,
            datetime(2026, 11, 23, 8),
            0,
            "De sms-dienst is sinds 08:00 niet bereikbaar. Er wacht nu niets. Nieuwe berichten "
            "wachten tot hij weer werkt.",
        ),
    ],
)
def test_an_outage_in_plain_dutch(channel, since, waiting, text):
    assert outage_text(channel, since, waiting, today=date(2026, 11, 23)) == text
