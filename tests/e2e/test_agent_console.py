"""An agent signs in and works the queue in a real browser, while residents' replies reach
the running service through its webhook: the page shows them without being reloaded."""

import json
import sqlite3
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta

import holidays
import pytest
from playwright.sync_api import expect, sync_playwright

from followup.settings import SIM_FROM
from tests.support.browser import CHROMIUM_ARGS, chromium_path
from tests.support.files import row, write_csv
from tests.support.processes import clean_env, followup, serving
from tests.support.webhooks import signature

pytestmark = pytest.mark.browser
RESIDENT = "+31612345678"
PASSWORD = "een lang wachtwoord"
# Outside the demo the service takes no webhook signed with the simulator's public token.
CARRIER_TOKEN = "a-token-of-this-test-for-the-simulated-carrier"


def sms(base: str, body: str, sid: str) -> None:
    """The resident's SMS as the carrier posts it."""
    params = {"MessageSid": sid, "From": RESIDENT, "To": SIM_FROM, "Body": body}
    url = base + "/webhooks/twilio/sms"
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(params).encode(),
        headers={"X-Twilio-Signature": signature(CARRIER_TOKEN, url, params)},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200


def calls_allowed_now(folder, env: dict[str, str]) -> dict[str, str]:
    """The service as it would be on a working day's office hours, whatever the hour this test
    runs: the call window all day on working days, and a time zone (a whole-hour offset) where
    it is such a day now. Without it the test failed every evening, when agents may not call."""
    now = datetime.now(UTC)
    for hours in sorted(range(-12, 15), key=abs):
        local = now + timedelta(hours=hours)
        if local.weekday() < 5 and 1 <= local.hour <= 22 and local.date() not in holidays.NL():
            break
    else:  # pragma: no cover - only from Saturday noon to Sunday noon (UTC)
        raise AssertionError("no time zone has a working day now: run this test on a weekday")
    zoned = env | {"FOLLOWUP_TIMEZONE": f"Etc/GMT{-hours:+d}" if hours else "Etc/GMT"}
    shown = followup("planning", "show", cwd=folder, env=zoned)
    rules = json.loads(shown.stdout)
    rules["call_window"] |= {"start": "00:00", "end": "23:59"}
    (folder / "planning.json").write_text(json.dumps(rules))
    assert followup("planning", "set", "planning.json", cwd=folder, env=zoned).returncode == 0
    return zoned


def wait_for_open_follow_up(database_file) -> None:
    database = sqlite3.connect(database_file)
    try:
        deadline = time.monotonic() + 60
        while not database.execute(
            "SELECT count(*) FROM follow_ups WHERE state = 'open'"
        ).fetchone()[0]:
            assert time.monotonic() < deadline, "no follow-up opened"
            time.sleep(0.5)
    finally:
        database.close()


def test_an_agent_sees_replies_and_callback_requests_arrive_live(tmp_path):
    env = clean_env(FOLLOWUP_TWILIO_AUTH_TOKEN=CARRIER_TOKEN)
    assert followup("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    env = calls_allowed_now(tmp_path, env)
    residents = write_csv(
        tmp_path / "inwoners.csv", [row("K1", name="Anna Jansen", phone="06-12345678")]
    )
    assert followup("import", str(residents), cwd=tmp_path, env=env).returncode == 0
    added = followup(
        "user", "add", "agent@gemeente.example", "--role", "agent", "--phone", "06-11112222",
        cwd=tmp_path, env=env, stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        with serving(cwd=tmp_path, env=env) as base:
            wait_for_open_follow_up(tmp_path / "followup.db")
            page = browser.new_page()
            page.goto(base + "/belwachtrij")
            expect(page).to_have_title("Inloggen – followup")
            page.get_by_label("E-mailadres").fill("agent@gemeente.example")
            page.get_by_label("Wachtwoord").fill(PASSWORD)
            page.get_by_role("button", name="Inloggen").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Belwachtrij")
            waiting = page.get_by_role("region", name="Te bellen")
            expect(waiting).to_contain_text("Er wacht niemand.")

            sms(base, "Bel mij", "SM" + "1" * 32)  # no reload from here on
            expect(waiting).to_contain_text("Anna Jansen", timeout=10_000)
            expect(waiting).to_contain_text("Wil gebeld worden")
            sms(base, "ik heb nu werk gevonden", "SM" + "2" * 32)
            replies = page.get_by_role("region", name="Antwoorden om te lezen")
            expect(replies).to_contain_text("ik heb nu werk gevonden", timeout=10_000)
            page.screenshot(path=str(tmp_path / "belwachtrij.png"), full_page=True)

            replies.get_by_role("button", name="Gelezen, niets doen").click()
            expect(replies).to_contain_text("Er zijn geen antwoorden om te lezen.")
            waiting.get_by_role("button", name="Bel Anna Jansen").click()
            # Her card, where the call goes on and its result is recorded.
            expect(page.get_by_role("heading", level=1)).to_have_text("Anna Jansen")
            expect(page.get_by_role("status")).to_contain_text("Uw telefoon gaat zo over")
            page.get_by_role("link", name="Terug naar de belwachtrij").click()
            expect(page.get_by_role("region", name="Uw gesprekken")).to_contain_text("Anna Jansen")
            # Leaving `serving` stops the server with the page still open: its live stream must
            # not hold the shutdown (`serving` allows 20 s; aiohttp would wait 60 for it).
        browser.close()
