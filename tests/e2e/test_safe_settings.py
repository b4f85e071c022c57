"""Settings that would let anyone in are refused at start, naming the setting: a real
carrier without its credentials, a guessable secret key, and, outside the demo, webhooks
signed with the simulated carrier's public token."""

import urllib.error
import urllib.parse
import urllib.request

import pytest

from followup.services.secret_key import sim_auth_token
from followup.settings import SIM_AUTH_TOKEN, SIM_FROM
from tests.support.processes import clean_env, followup, serving
from tests.support.webhooks import signature

KEY = "kMq3v8ZpT1xR6yN0bW4cJ7hL2sF9dG5a-test-key"
SENDING_COMMANDS = [["serve", "--port", "0"], ["worker"], ["dispatch"]]
ACCOUNT = {
    "FOLLOWUP_TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "FOLLOWUP_TWILIO_AUTH_TOKEN": "a-real-looking-auth-token",
    "FOLLOWUP_TWILIO_FROM": "+31970102030",
}


def refused(command: list[str], tmp_path, **env: str) -> str:
    result = followup(*command, cwd=tmp_path, env=clean_env(**env))
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    return result.stderr


@pytest.mark.parametrize("command", SENDING_COMMANDS, ids=lambda c: c[0])
def test_a_real_carrier_without_credentials_is_refused(command, tmp_path):
    error = refused(command, tmp_path, FOLLOWUP_CARRIER="twilio")
    for name in ACCOUNT:
        assert name in error
    assert "Twilio-account" in error
    assert not (tmp_path / "followup.db").exists()  # refused before touching anything


@pytest.mark.parametrize("missing", list(ACCOUNT))
def test_each_missing_credential_is_named(missing, tmp_path):
    given = {name: value for name, value in ACCOUNT.items() if name != missing}
    error = refused(["worker"], tmp_path, FOLLOWUP_CARRIER="twilio", **given)
    assert missing in error
    assert not any(name in error for name in given)


def test_the_simulators_public_token_is_no_credential(tmp_path):
    error = refused(
        ["dispatch"],
        tmp_path,
        FOLLOWUP_CARRIER="twilio",
        **(ACCOUNT | {"FOLLOWUP_TWILIO_AUTH_TOKEN": SIM_AUTH_TOKEN}),
    )
    assert "FOLLOWUP_TWILIO_AUTH_TOKEN" in error


@pytest.mark.parametrize("command", SENDING_COMMANDS, ids=lambda c: c[0])
def test_a_guessable_secret_key_is_refused_with_how_to_make_one(command, tmp_path):
    error = refused(command, tmp_path, FOLLOWUP_SECRET_KEY="welkom")
    assert "FOLLOWUP_SECRET_KEY is te zwak" in error
    assert "secrets.token_urlsafe(48)" in error


def test_serve_refuses_a_simulator_elsewhere_that_signs_with_the_public_token(tmp_path):
    error = refused(
        ["serve", "--port", "0"], tmp_path, FOLLOWUP_TWILIO_API_BASE="http://127.0.0.1:9"
    )
    assert "FOLLOWUP_TWILIO_AUTH_TOKEN" in error
    assert "followup sim-carrier" in error


def post_sms(base: str, token: str, body: str, sid: str) -> int:
    params = {"MessageSid": sid, "From": "+31612345678", "To": SIM_FROM, "Body": body}
    url = base + "/webhooks/twilio/sms"
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(params).encode(),
        headers={"X-Twilio-Signature": signature(token, url, params)},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_outside_the_demo_a_stop_signed_with_the_public_token_is_forbidden(tmp_path):
    env = clean_env(FOLLOWUP_SECRET_KEY=KEY)
    assert followup("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    with serving(cwd=tmp_path, env=env) as base:
        assert post_sms(base, SIM_AUTH_TOKEN, "STOP", "SM" + "1" * 32) == 403
        # The simulated carrier in the process signs with the token of this installation.
        assert post_sms(base, sim_auth_token(KEY), "STOP", "SM" + "2" * 32) == 200


def test_the_demo_keeps_the_public_token(tmp_path):
    """The demo phone and `followup sim-carrier` beside a demo sign with it."""
    with serving("--demo", cwd=tmp_path, env=clean_env(), ready_timeout=240) as base:
        assert post_sms(base, SIM_AUTH_TOKEN, "hallo", "SM" + "3" * 32) == 200
