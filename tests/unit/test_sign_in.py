"""The sign-in cookie: made only by us, for one user, for a working day."""

from datetime import UTC, datetime, timedelta

import pytest

from followup.rules.response_links import make_token
from followup.rules.sign_in import VALID_FOR, sign_in_token, signed_in_user

SECRET = "s" * 43
NOW = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)


def test_a_token_names_its_user_until_it_lapses():
    token = sign_in_token(SECRET, 7, NOW)
    assert signed_in_user(SECRET, token, NOW) == 7
    assert signed_in_user(SECRET, token, NOW + VALID_FOR - timedelta(seconds=1)) == 7
    assert signed_in_user(SECRET, token, NOW + VALID_FOR) is None


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda t: "8" + t[1:], id="other-user"),
        pytest.param(lambda t: t.replace(".", ".9", 1), id="later-expiry"),
        pytest.param(lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), id="mac"),
        pytest.param(lambda t: t + "x", id="garbled"),
        pytest.param(lambda t: "", id="empty"),
    ],
)
def test_a_changed_token_names_nobody(change):
    assert signed_in_user(SECRET, change(sign_in_token(SECRET, 7, NOW)), NOW) is None


def test_another_key_or_a_response_link_is_no_sign_in():
    assert signed_in_user("other" * 9, sign_in_token(SECRET, 7, NOW), NOW) is None
    link = make_token(SECRET, 7, (NOW + timedelta(days=1)).date())
    assert signed_in_user(SECRET, link, NOW) is None
