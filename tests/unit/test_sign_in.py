"""Sign-in rules: the way back after signing in stays on this site; the database keeps only
a hash of a session's token; failed sign-ins wait after a few per account or address."""

from datetime import UTC, datetime, timedelta

import pytest

from followup.rules.sign_in import SEEN_EVERY, needs_seen, return_path, session_key
from followup.rules.sign_in_limits import (
    PER_ACCOUNT,
    PER_ADDRESS,
    Failures,
    Limit,
    may_try,
    reached,
)

NOW = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("back", "goes_to"),
    [
        ("/", "/"),
        ("/belwachtrij", "/belwachtrij"),
        ("/bereik?wijk=Noord&van=2026-01", "/bereik?wijk=Noord&van=2026-01"),
        ("", "/"),
        ("belwachtrij", "/"),
        ("//evil.example", "/"),
        ("/\t/evil.example", "/"),  # browsers drop the tab: //evil.example
        ("/\n/evil.example", "/"),
        ("/\r/evil.example", "/"),
        ("/\\evil.example", "/"),  # browsers read \ as /
        ("/a\\b", "/"),
        ("/\x00", "/"),
        ("/\x85", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        (" /belwachtrij", "/"),
    ],
)
def test_the_way_back_is_a_plain_path_on_this_site(back, goes_to):
    assert return_path(back) == goes_to


def test_a_session_key_is_a_hash_of_the_token():
    assert session_key("abc") == session_key("abc") != session_key("abd")
    assert "abc" not in session_key("abc") and len(session_key("abc")) == 64


def test_last_seen_is_written_at_most_once_a_minute():
    assert not needs_seen(NOW, NOW + SEEN_EVERY - timedelta(seconds=1))
    assert needs_seen(NOW, NOW + SEEN_EVERY)


@pytest.mark.parametrize(
    ("account", "address", "tries", "locks"),
    [
        (1, 1, True, None),
        (PER_ACCOUNT - 1, 1, True, None),
        (PER_ACCOUNT, 1, True, Limit.ACCOUNT),  # checked; failing it starts the wait
        (PER_ACCOUNT + 1, 1, False, Limit.ACCOUNT),
        (1, PER_ADDRESS - 1, True, None),
        (1, PER_ADDRESS, True, Limit.ADDRESS),
        (1, PER_ADDRESS + 1, False, Limit.ADDRESS),
        (PER_ACCOUNT + 1, PER_ADDRESS + 1, False, Limit.ACCOUNT),
    ],
)
def test_failures_wait_after_a_few_per_account_or_address(account, address, tries, locks):
    failures = Failures(account, address)
    assert may_try(failures) is tries
    assert reached(failures) == locks
