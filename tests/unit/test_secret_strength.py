"""The rule a configured FOLLOWUP_SECRET_KEY must pass, as a table."""

import secrets

import pytest

from followup.rules.secret_strength import different_pieces, estimated_bits, weakness

STRONG = [
    pytest.param(secrets.token_urlsafe(48), id="token_urlsafe(48), as documented"),
    pytest.param(secrets.token_hex(32), id="token_hex(32)"),
    pytest.param("a-test-secret-key-that-signs-response-links", id="long, lower case and -"),
    pytest.param("Kx9#mQ2$vL7!pR4&nT8*wZ3@bY6^cH1%", id="32 mixed characters"),
]
WEAK = [
    pytest.param("welkom", "6 tekens", id="a word"),
    pytest.param("", "0 tekens", id="empty"),
    pytest.param("Welkom01!Welkom0", "16 tekens", id="a word with digits, too short"),
    pytest.param("welkom" * 6, "herhaalt zich", id="a word repeated to length"),
    pytest.param("a" * 64, "herhaalt zich", id="one character"),
    pytest.param("Welkom01!" * 5, "herhaalt zich", id="a password repeated"),
    pytest.param("abcdefghijklmnop" * 2, "herhaalt zich", id="a run, twice"),
    pytest.param("31415926535897932384626433832795", "106 bits", id="32 digits"),
]


@pytest.mark.parametrize("key", STRONG)
def test_strong_keys_pass(key):
    assert weakness(key) is None


@pytest.mark.parametrize(("key", "reason"), WEAK)
def test_weak_keys_are_refused_saying_why(key, reason):
    assert reason in (weakness(key) or "")


@pytest.mark.parametrize(
    ("key", "bits"),
    [
        ("a" * 10, 10 * 4.700),  # lower case: 26
        ("aA" * 5, 10 * 5.700),  # and upper case: 52
        ("aA1" * 4, 12 * 5.954),  # and digits: 62
        ("aA1-", 4 * 6.570),  # and the rest: 95
        ("----", 4 * 5.044),  # the rest alone: 33
    ],
)
def test_the_estimate_counts_the_classes_used(key, bits):
    assert estimated_bits(key) == pytest.approx(bits, abs=0.01)


@pytest.mark.parametrize(
    ("key", "share"), [("abcdef", 1.0), ("aaaaaa", 0.25), ("abcabc", 0.75), ("ab", 0.0)]
)
def test_the_share_of_different_pieces(key, share):
    assert different_pieces(key) == share
