"""The call team's day in a real browser, against `followup serve --demo` (contact windows open
around the clock, so at any hour): an agent takes the next resident, reads their history,
calls them on the simulated phones, and records what came of it; the report counts it."""

import json
import re
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


def resident_on(page: Page) -> int:
    """The client id of the card the page shows (names repeat in the demo; ids do not)."""
    return int(re.search(r"/inwoners/(\d+)", page.url)[1])


def answers_the_phone(folder, client_id: int) -> None:
    """The demo gives some residents numbers the simulated carrier never connects (CONTRACT
    section 6): this resident's numbers become ones it does."""
    with sqlite3.connect(folder / "followup.db") as database:
        database.execute(
            "UPDATE phone_numbers SET e164 = '+3163998' || substr('000' || id, -3) || '7'"
            " WHERE client_id = ?",
            (client_id,),
        )


def call_and_hang_up(page: Page, browser, base: str, folder) -> None:
    """Bellen: the call connects on the simulated phones, and the agent hangs up there."""
    answers_the_phone(folder, resident_on(page))
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


def follow_up_state(folder, client_id: int) -> str:
    with sqlite3.connect(folder / "followup.db") as database:
        return database.execute(
            "SELECT state FROM follow_ups WHERE client_id = ? ORDER BY id DESC LIMIT 1",
            (client_id,),
        ).fetchone()[0]


def test_an_agent_calls_the_next_resident_and_records_an_outcome(demo, browser):
    base, folder, env = demo
    before = report(folder, env)
    page = signed_in(browser, base)
    name = next_resident(page)
    history = page.get_by_role("region", name="Wat er gebeurde")
    expect(history.locator(".timeline__item").first).to_be_visible()

    call_and_hang_up(page, browser, base, folder)
    page.keyboard.press("1")  # the shortcut for "Actief geworden"
    page.get_by_label("Notitie (kort)").fill("Werkt nu drie dagen bij de bakker")
    page.get_by_role("button", name="Vastleggen").click()

    expect(page.get_by_role("status")).to_contain_text("Vastgelegd")
    expect(history).to_contain_text("Uitkomst: Actief geworden")
    expect(history).to_contain_text("Werkt nu drie dagen bij de bakker")
    assert follow_up_state(folder, resident_on(page)) == "closed"
    page.goto(base + "/belwachtrij")
    expect(page.get_by_role("region", name="Te bellen")).not_to_contain_text(name)
    after = report(folder, env)
    assert after["active"] == before["active"] + 1


def give_a_second_number(folder, client_id: int) -> None:
    """The resident has another number, and their round runs a while yet."""
    with sqlite3.connect(folder / "followup.db") as database:
        (follow_up_id,) = database.execute(
            "SELECT id FROM follow_ups WHERE client_id = ? AND state = 'open'", (client_id,)
        ).fetchone()
        database.execute(
            "INSERT INTO phone_numbers (client_id, label, raw, e164, type, status, sms_blocked,"
            " source, created_at) VALUES (?, 'alternate', '06-39990001', '+31639990002',"
            " 'mobile', 'valid', 0, 'import', CURRENT_TIMESTAMP)",
            (client_id,),
        )
        database.execute(
            "UPDATE rounds SET closes_at = '2099-01-01 00:00:00.000000' WHERE follow_up_id = ?",
            (follow_up_id,),
        )


def test_a_wrong_number_moves_the_ladder_to_the_next_channel(demo, browser):
    base, folder, _ = demo
    page = signed_in(browser, base)
    next_resident(page)
    client_id = resident_on(page)
    give_a_second_number(folder, client_id)
    call_and_hang_up(page, browser, base, folder)
    page.get_by_label("Verkeerd nummer").check()
    page.get_by_role("button", name="Vastleggen").click()
    expect(page.get_by_role("status")).to_contain_text("Vastgelegd")
    expect(page.get_by_role("region", name="Gegevens")).to_contain_text("gemeld door het belteam")
    with sqlite3.connect(folder / "followup.db") as database:
        call_id, number_status, source = database.execute(
            "SELECT a.id, p.status, p.invalid_source FROM attempts a"
            " JOIN phone_numbers p ON p.id = a.phone_number_id"
            " JOIN follow_ups f ON f.id = a.follow_up_id"
            " WHERE f.client_id = ? AND a.channel = 'call' AND a.agent_id IS NOT NULL"
            " ORDER BY a.id DESC LIMIT 1",
            (client_id,),
        ).fetchone()
        follow_on = database.execute(
            "SELECT channel, state FROM attempts WHERE replaces_id = ?", (call_id,)
        ).fetchall()
    assert (number_status, source) == ("invalid", "agent")
    assert follow_on == [("call", "queued")]  # the other number takes over
    assert follow_up_state(folder, client_id) == "open"


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
    base, folder, _ = demo
    page = signed_in(browser, base)
    next_resident(page)
    agreed_with = resident_on(page)
    call_and_hang_up(page, browser, base, folder)
    at = (datetime.now(ZONE) + timedelta(minutes=2)).replace(second=0, microsecond=0)
    page.keyboard.press("t")
    page.get_by_label("Datum").fill(at.date().isoformat())
    page.get_by_label("Tijd").fill(at.strftime("%H:%M"))
    page.get_by_role("button", name="Vastleggen").click()
    expect(page.get_by_role("status")).to_contain_text("Vastgelegd")
    expect(page.get_by_role("region", name="Wat er gebeurde")).to_contain_text("Terugbellen op")

    next_resident(page)
    assert resident_on(page) != agreed_with  # not yet: someone else meanwhile
    time.sleep(max(0.0, (at - datetime.now(ZONE)).total_seconds()) + 2)
    next_resident(page)
    assert resident_on(page) == agreed_with  # at its time, to the agent who agreed it
