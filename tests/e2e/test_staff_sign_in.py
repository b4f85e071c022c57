"""Staff sign-in in a real browser: it waits after repeated wrong passwords, also for the
right one, and after "Uitloggen" the old cookie no longer opens the queue."""

import pytest
from playwright.sync_api import expect, sync_playwright

from followup.rules.sign_in_limits import PER_ACCOUNT
from tests.support.browser import CHROMIUM_ARGS, chromium_path
from tests.support.processes import clean_env, followup, serving

pytestmark = pytest.mark.browser
PASSWORD = "een lang wachtwoord"
AGENT = "agent@gemeente.example"


def sign_in(page, base: str, password: str) -> None:
    page.goto(base + "/belwachtrij")
    page.get_by_label("E-mailadres").fill(AGENT)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()


def test_sign_in_locks_and_signing_out_ends_the_session(tmp_path):
    env = clean_env()
    assert followup("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    added = followup(
        "user", "add", AGENT, "--role", "agent", "--phone", "06-11112222",
        cwd=tmp_path, env=env, stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        with serving(cwd=tmp_path, env=env) as base:
            office = browser.new_context()
            page = office.new_page()
            sign_in(page, base, PASSWORD)
            expect(page.get_by_role("heading", level=1)).to_have_text("Belwachtrij")
            [session] = [c for c in office.cookies() if c["name"] == "followup_sessie"]
            page.get_by_role("button", name="Uitloggen").click()
            expect(page).to_have_title("Inloggen – followup")

            # The cookie copied before signing out, in another browser: it opens nothing.
            thief = browser.new_context()
            thief.add_cookies([session])
            stolen = thief.new_page()
            stolen.goto(base + "/belwachtrij")
            expect(stolen).to_have_title("Inloggen – followup")

            guesser = browser.new_context().new_page()
            for n in range(PER_ACCOUNT - 1):
                sign_in(guesser, base, f"geraden wachtwoord {n}")
                expect(guesser.get_by_role("alert")).to_have_text(
                    "Het e-mailadres of het wachtwoord klopt niet."
                )
            sign_in(guesser, base, "nog een gok")
            expect(guesser.get_by_role("alert")).to_contain_text("Wacht 15 minuten")
            sign_in(guesser, base, PASSWORD)  # the right one: it waits too
            expect(guesser.get_by_role("alert")).to_contain_text("Wacht 15 minuten")
            expect(guesser).to_have_title("Inloggen – followup")
        browser.close()
