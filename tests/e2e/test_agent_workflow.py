"""The call team's day in a real browser, against `followup serve --demo` (contact windows open
around the clock, so at any hour): an agent takes the next resident, reads their history,
calls them on the simulated phones, and records what came of it; the report counts it."""

import json
import sqlite3
import time
import urllib.parse
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from followup.services.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.support.browser import CHROMIUM_ARGS, chromium_path
from tests.support.processes import clean_env, followup, serving

pytestmark = pytest.mark.browser
ZONE = ZoneInfo("Europe/Amsterdam")
AGENT = next(account for account in DEMO_ACCOUNTS if account.phone)
AGENT_PHONE = "+31687654321"
SECOND_AGENT = "tweede@demo.example"
SECOND_PASSWORD = "een lang wachtwoord"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("console")
    env = clean_env(FOLLOWUP_SECRET_KEY="an-e2e-secret-key-for-the-agent-console-tests")
    with serving("--demo", cwd=folder, env=env) as base:
        added = followup(
            "user", "add", SECOND_AGENT, "--role", "agent", "--phone", "06-87650000",
            cwd=folder, env=env, stdin=SECOND_PASSWORD + "\n",
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
        yield base, folder, env


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def signed_in(browser, base: str, email: str = AGENT.email, password: str = DEMO_PASSWORD) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(base + "/belwachtrij")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Belwachtrij")
    return page


def next_resident(page: Page) -> str:
    page.get_by_role("button", name="Volgende inwoner").click()
    expect(page.get_by_role("heading", name="Gegevens")).to_be_visible()
    return page.get_by_role("heading", level=1).inner_text()


def call_and_hang_up(page: Page, browser, base: str) -> None:
    """ "Bellen", the call connects on the simulated phones, and the agent hangs up there."""
    page.get_by_role("button", name="Bellen").click()
    expect(page.get_by_role("status")).to_contain_text("Uw telefoon gaat zo over")
    status = page.locator("#gespreksstatus")
    expect(status).to_have_text("In gesprek met de inwoner", timeout=20_000)
    phone = browser.new_page()
    phone.goto(base + "/")
    phone_page = phone.get_by_role("link", name="nagespeelde telefoon van de inwoner")
    phone.goto(phone_page.get_attribute("href") + "/" + urllib.parse.quote(AGENT_PHONE))
    phone.get_by_role("button", name="Ophangen").first.click()
    phone.close()
    expect(status).to_have_text("Gesprek afgelopen", timeout=20_000)


def report(folder, env) -> dict:
    answer = followup("report", "--format", "json", cwd=folder, env=env)
    assert answer.returncode == 0, answer.stderr
    return json.loads(answer.stdout)["total"]


def follow_up_state(folder, name: str) -> str:
    with sqlite3.connect(folder / "followup.db") as database:
        return database.execute(
            "SELECT f.state FROM follow_ups f JOIN clients c ON c.id = f.client_id"
            " WHERE c.name = ? ORDER BY f.id DESC LIMIT 1",
            (name,),
        ).fetchone()[0]


def test_an_agent_calls_the_next_resident_and_records_an_outcome(demo, browser):
    base, folder, env = demo
    before = report(folder, env)
    page = signed_in(browser, base)
    name = next_resident(page)
    history = page.get_by_role("region", name="Wat er gebeurde")
    expect(history.locator(".timeline__item").first).to_be_visible()

    call_and_hang_up(page, browser, base)
    page.keyboard.press("1")  # the shortcut for "Actief geworden"
    page.get_by_label("Notitie (kort)").fill("Werkt nu drie dagen bij de bakker")
    page.get_by_role("button", name="Vastleggen").click()

    expect(page.get_by_role("status")).to_contain_text("Vastgelegd")
    expect(history).to_contain_text("Uitkomst: Actief geworden")
    expect(history).to_contain_text("Werkt nu drie dagen bij de bakker")
    assert follow_up_state(folder, name) == "closed"
    page.goto(base + "/belwachtrij")
    expect(page.get_by_role("region", name="Te bellen")).not_to_contain_text(name)
    after = report(folder, env)
    assert after["active"] == before["active"] + 1


def test_a_wrong_number_moves_the_ladder_to_the_next_channel(demo, browser):
    base, folder, _ = demo
    page = signed_in(browser, base)
    name = next_resident(page)
    call_and_hang_up(page, browser, base)
    page.get_by_label("Verkeerd nummer").check()
    page.get_by_role("button", name="Vastleggen").click()
    expect(page.get_by_role("status")).to_contain_text("Vastgelegd")
    expect(page.get_by_role("region", name="Gegevens")).to_contain_text("gemeld door het belteam")
    with sqlite3.connect(folder / "followup.db") as database:
        call_id, number_status, source = database.execute(
            "SELECT a.id, p.status, p.invalid_source FROM attempts a"
            " JOIN phone_numbers p ON p.id = a.phone_number_id"
            " JOIN follow_ups f ON f.id = a.follow_up_id JOIN clients c ON c.id = f.client_id"
            " WHERE c.name = ? AND a.channel = 'call' AND a.agent_id IS NOT NULL"
            " ORDER BY a.id DESC LIMIT 1",
            (name,),
        ).fetchone()
        follow_on = database.execute(
            "SELECT count(*) FROM attempts WHERE replaces_id = ?", (call_id,)
        ).fetchone()[0]
        outcome = database.execute(
            "SELECT o.reason FROM outcomes o JOIN follow_ups f ON f.id = o.follow_up_id"
            " JOIN clients c ON c.id = f.client_id WHERE c.name = ?",
            (name,),
        ).fetchone()
    assert (number_status, source) == ("invalid", "agent")
    # Another number takes over; or the ladder goes on by SMS or e-mail; or, with nothing left
    # to reach the resident by, the follow-up closes as not reached for a wrong number.
    assert follow_on or follow_up_state(folder, name) == "open" or outcome == ("invalid_number",)


def test_two_agents_at_once_never_get_the_same_resident(demo, browser):
    base, _, _ = demo
    first = signed_in(browser, base)
    second = signed_in(browser, base, SECOND_AGENT, SECOND_PASSWORD)
    first_button = first.get_by_role("button", name="Volgende inwoner")
    second_button = second.get_by_role("button", name="Volgende inwoner")
    first_button.click(no_wait_after=True)
    second_button.click(no_wait_after=True)
    expect(first.get_by_role("heading", name="Gegevens")).to_be_visible()
    expect(second.get_by_role("heading", name="Gegevens")).to_be_visible()
    assert first.url != second.url
    expect(second.get_by_role("heading", level=1)).not_to_have_text(
        first.get_by_role("heading", level=1).inner_text()
    )
    # The first agent's resident is shown to the second, but not theirs to call.
    second.goto(first.url)
    expect(second.locator("#bij-collega")).to_contain_text(AGENT.email)
    expect(second.get_by_role("button", name="Bellen")).to_have_count(0)


def test_an_agent_cannot_open_coordinator_or_admin_pages(demo, browser):
    base, _, _ = demo
    page = signed_in(browser, base)
    for path in ("/belwachtrij/sjablonen", "/beheer"):
        answer = page.goto(base + path)
        assert answer.status in (403, 404), path  # /beheer: 404 until the admin page exists
        if answer.status == 403:
            expect(page.locator("body")).to_contain_text("geen toegang")


def test_an_agreed_callback_comes_back_at_its_time(demo, browser):
    base, _, _ = demo
    page = signed_in(browser, base)
    name = next_resident(page)
    call_and_hang_up(page, browser, base)
    at = (datetime.now(ZONE) + timedelta(minutes=2)).replace(second=0, microsecond=0)
    page.keyboard.press("t")
    page.get_by_label("Datum").fill(at.date().isoformat())
    page.get_by_label("Tijd").fill(at.strftime("%H:%M"))
    page.get_by_role("button", name="Vastleggen").click()
    expect(page.get_by_role("status")).to_contain_text("Vastgelegd")
    expect(page.get_by_role("region", name="Wat er gebeurde")).to_contain_text("Terugbellen op")

    assert next_resident(page) != name  # not yet: someone else meanwhile
    time.sleep(max(0.0, (at - datetime.now(ZONE)).total_seconds()) + 2)
    assert next_resident(page) == name  # at its time, to the agent who agreed it
