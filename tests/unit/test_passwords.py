import pytest

from followup.rules.passwords import MIN_LENGTH, hash_password, password_problem, verify_password

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def stored() -> str:
    return hash_password(PASSWORD)


def test_hash_has_scheme_and_parameters(stored):
    parts = stored.split("$")
    assert len(parts) == 6
    assert parts[:4] == ["scrypt", "16384", "8", "1"]
    assert PASSWORD not in stored


def test_round_trip(stored):
    assert verify_password(PASSWORD, stored) is True


@pytest.mark.parametrize(
    "attempt",
    [
        pytest.param("correct horse batterY", id="one-letter-case"),
        pytest.param("correct horse battery ", id="trailing-space"),
        pytest.param("correct horse batter", id="prefix"),
        pytest.param("", id="empty"),
    ],
)
def test_wrong_password_fails(stored, attempt):
    assert verify_password(attempt, stored) is False


def test_non_ascii_password_round_trip():
    password = "wachtwoord-ëüï-€uro"
    stored = hash_password(password)
    assert verify_password(password, stored) is True
    assert verify_password("wachtwoord-euiuro", stored) is False


def test_two_hashes_of_one_password_differ_by_salt(stored):
    other = hash_password(PASSWORD)
    assert other != stored
    assert other.split("$")[4] != stored.split("$")[4]
    assert verify_password(PASSWORD, other) is True


def _with(stored: str, index: int, value: str) -> str:
    parts = stored.split("$")
    parts[index] = value
    return "$".join(parts)


@pytest.mark.parametrize(
    "malformed",
    [
        pytest.param(lambda s: "", id="empty"),
        pytest.param(lambda s: PASSWORD, id="plain-text"),
        pytest.param(lambda s: s.rsplit("$", 1)[0], id="five-parts"),
        pytest.param(lambda s: s + "$extra", id="seven-parts"),
        pytest.param(lambda s: _with(s, 0, "bcrypt"), id="other-scheme"),
        pytest.param(lambda s: _with(s, 5, ""), id="empty-digest"),
        pytest.param(lambda s: _with(s, 1, "abc"), id="n-not-a-number"),
        pytest.param(lambda s: _with(s, 1, "1000"), id="n-not-power-of-two"),
        pytest.param(lambda s: _with(s, 4, "abc"), id="salt-bad-base64-padding"),
        pytest.param(lambda s: _with(s, 5, "@@@"), id="digest-not-base64"),
    ],
)
def test_malformed_stored_hash_returns_false(stored, malformed):
    assert verify_password(PASSWORD, malformed(stored)) is False


@pytest.mark.parametrize(
    ("password", "words"),
    [
        pytest.param("", ["minstens", str(MIN_LENGTH)], id="empty"),
        pytest.param("a" * (MIN_LENGTH - 1), ["minstens", str(MIN_LENGTH)], id="one-short"),
        pytest.param(" " + "a" * MIN_LENGTH, ["spatie", "beginnen"], id="leading-space"),
        pytest.param("a" * MIN_LENGTH + " ", ["spatie", "eindigen"], id="trailing-space"),
        pytest.param("\t" + "a" * MIN_LENGTH, ["spatie"], id="leading-tab"),
    ],
)
def test_password_problem(password, words):
    problem = password_problem(password)
    assert problem is not None
    for word in words:
        assert word in problem


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("a" * MIN_LENGTH, id="exactly-min-length"),
        pytest.param("correct horse battery", id="inner-spaces"),
        pytest.param("wachtwoord-ëüï-€uro", id="non-ascii"),
    ],
)
def test_acceptable_password_has_no_problem(password):
    assert password_problem(password) is None
