"""Response-page tokens: only ours are accepted, and only until their last day."""

from datetime import date

import pytest

from followup.rules.response_links import (
    VALID_DAYS,
    Expired,
    Invalid,
    ResponseLinks,
    make_token,
    read_token,
)

SECRET = "s" * 48
LAST = date(2026, 12, 31)


def test_a_token_names_its_follow_up_until_its_last_day():
    token = make_token(SECRET, 42, LAST)
    assert read_token(SECRET, token, date(2026, 12, 31)) == 42
    with pytest.raises(Expired):
        read_token(SECRET, token, date(2027, 1, 1))


@pytest.mark.parametrize(
    "forge",
    [
        lambda t: t.replace("42.", "43.", 1),  # another follow-up
        lambda t: t.replace("20261231", "20271231"),  # a longer life
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # another MAC
        lambda t: t + "x",
        lambda t: "",
        lambda t: "42.20261231",
    ],
)
def test_a_changed_or_garbled_token_is_invalid(forge):
    with pytest.raises(Invalid):
        read_token(SECRET, forge(make_token(SECRET, 42, LAST)), date(2026, 12, 1))


def test_another_installations_key_does_not_fit():
    with pytest.raises(Invalid):
        read_token("other" * 10, make_token(SECRET, 42, LAST), date(2026, 12, 1))


def test_links_live_for_the_valid_days_from_the_day_they_are_issued():
    url = ResponseLinks("https://nabellen.example", SECRET).url(7, date(2026, 11, 23))
    assert url.startswith("https://nabellen.example/antwoord/7.")
    token = url.rsplit("/", 1)[1]
    assert read_token(SECRET, token, date(2027, 1, 22)) == 7  # 60 days later
    with pytest.raises(Expired):
        read_token(SECRET, token, date(2027, 1, 23))
    assert VALID_DAYS == 60
