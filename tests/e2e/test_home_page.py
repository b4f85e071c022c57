"""`followup serve --demo` from an empty folder, looked at in a real browser."""

import re
import sqlite3
import time
from datetime import date

import pytest
from playwright.sync_api import expect, sync_playwright

from followup.demo_data import WIJKEN
from followup.rules.response_links import ResponseLinks
from followup.services.demo import DEMO_CLIENTS, DEMO_PASSWORD
from tests.support.browser import CHROMIUM_ARGS, chromium_path
from tests.support.processes import clean_env, followup, serving

pytestmark = pytest.mark.browser
SECRET = "a-test-secret-key-that-signs-response-links"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    with serving("--demo", cwd=folder, env=clean_env(FOLLOWUP_SECRET_KEY=SECRET)) as base:
        yield base, folder


@pytest.fixture(scope="module")
def page():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser.new_page()
        browser.close()


def test_demo_start_shows_the_overview_in_dutch(demo_server, page):
    base, folder = demo_server
    page.goto(base + "/")

    expect(page).to_have_title("Overzicht – followup")
    assert page.locator("html").get_attribute("lang") == "nl"
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Nabellen van inwoners die zelf actief worden"
    )
    expect(page.get_by_role("note")).to_contain_text("Demoversie")
    # Figures about residents are for staff only.
    expect(page.locator("#figures-after-sign-in")).to_contain_text("ingelogd")
    expect(page.locator("#clients")).to_have_count(0)
    staff = signed_in_page(page, base)
    expect(staff.locator("#clients")).to_have_text(str(DEMO_CLIENTS))
    table = staff.get_by_role("table", name="Inwoners per wijk")
    assert sorted(table.locator("tbody th").all_inner_texts()) == sorted(WIJKEN)
    assert page.evaluate("getComputedStyle(document.body).fontFamily")  # our own CSS loaded
    page.screenshot(path=str(folder / "home.png"), full_page=True)
    assert (folder / "followup.db").exists()  # the embedded default: SQLite in the folder


def signed_in_page(page, base: str):
    """A browser of its own, signed in as the demo's coordinator, on the home page."""
    staff = page.context.browser.new_context().new_page()
    staff.goto(base + "/inloggen")
    staff.get_by_label("E-mailadres").fill("coordinator@demo.example")
    staff.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    staff.get_by_role("button", name="Inloggen").click()
    staff.goto(base + "/")
    return staff


def test_the_scheduler_runs_a_planning_pass_at_start(demo_server, page):
    _, folder = demo_server
    deadline = time.monotonic() + 60
    while "planning pass:" not in (folder / "serve.log").read_text():
        assert time.monotonic() < deadline, "no planning pass ran"
        time.sleep(0.5)
    database = sqlite3.connect(folder / "followup.db")
    try:
        opened, closed = database.execute(
            "SELECT sum(state = 'open'), sum(state = 'closed') FROM follow_ups"
        ).fetchone()
    finally:
        database.close()
    # The demo's past: most follow-ups closed in earlier months, some still running.
    assert closed > 1000 and opened > 100

    base, _ = demo_server
    reach = signed_in_page(page, base).get_by_role("table", name="Bereik per wijk")
    expect(reach.locator("tfoot th")).to_have_text("Totaal")
    expect(reach.locator("tfoot td").first).to_have_text(str(opened + closed))
    assert reach.locator("tbody tr").count() == len(WIJKEN)
    assert "%" in reach.locator("tfoot td").nth(2).inner_text()


def test_the_demo_links_to_the_residents_simulated_phone(demo_server, page):
    base, _ = demo_server
    page.goto(base + "/")
    note = page.locator("#phone")
    expect(note).to_contain_text("dag en nacht")  # the demo's contact windows never close
    note.get_by_role("link", name="nagespeelde telefoon van de inwoner").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Telefoons van inwoners")
    assert page.locator("html").get_attribute("lang") == "nl"


def test_a_newcomer_signs_in_with_the_demo_account_and_finds_work_at_any_hour(demo_server, page):
    base, _ = demo_server
    page.goto(base + "/")
    expect(page.get_by_role("note")).to_contain_text("dag en nacht")
    accounts = page.get_by_role("table", name="Inloggen in de demo")
    agent = accounts.get_by_role("row", name="Medewerker belteam")
    email, password = agent.get_by_role("cell").all_inner_texts()
    page.get_by_role("link", name="belwachtrij").click()
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Belwachtrij")
    waiting = page.get_by_role("region", name="Te bellen")
    expect(waiting).to_contain_text("Wil gebeld worden")
    expect(waiting).not_to_contain_text("Er wacht niemand")
    replies = page.get_by_role("region", name="Antwoorden om te lezen")
    expect(replies).to_contain_text("Wie is dit?")


def test_second_demo_start_does_not_import_again(demo_server, page):
    _, folder = demo_server
    with serving("--demo", cwd=folder, env=clean_env()) as second:
        page.goto(second + "/")
        expect(page.locator("#clients")).to_have_text(str(DEMO_CLIENTS))


def test_serve_without_demo_refuses_a_database_that_was_not_upgraded(tmp_path):
    result = followup("serve", "--port", "1", cwd=tmp_path, env=clean_env())
    assert result.returncode == 2
    assert "followup db upgrade" in result.stderr


def test_empty_database_shows_how_to_import(tmp_path, page):
    env = clean_env()
    assert followup("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    with serving(cwd=tmp_path, env=env) as base:
        page.goto(base + "/")
        expect(page.locator("#empty")).to_contain_text("followup import")
        expect(page.get_by_role("table", name="Inloggen in de demo")).to_have_count(0)
        expect(page.get_by_role("note")).to_have_count(0)


def test_a_resident_answers_on_a_phone_through_the_link_in_the_email(demo_server, page):
    base, folder = demo_server
    database = sqlite3.connect(folder / "followup.db")
    try:
        deadline = time.monotonic() + 60
        while not (
            row := database.execute(
                "SELECT min(id) FROM follow_ups WHERE state = 'open'"
            ).fetchone()
        )[0]:
            assert time.monotonic() < deadline, "no follow-up opened"
            time.sleep(0.5)
        follow_up_id = row[0]
        link = ResponseLinks(base, SECRET).url(follow_up_id, date.today())

        phone = page.context.browser.new_page(viewport={"width": 360, "height": 740})
        phone.goto(link)
        expect(phone.get_by_role("heading", level=1)).to_have_text("Hoe gaat het met u?")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
        phone.get_by_role("button", name="Ik ben actief geworden").click()
        expect(phone.get_by_role("heading", level=1)).to_have_text("Dank u wel")
        phone.goto(link)
        expect(phone.get_by_role("heading", level=1)).to_have_text("U heeft al geantwoord")
        phone.close()

        recorded = database.execute(
            "SELECT o.category, o.source, f.state FROM outcomes o "
            "JOIN follow_ups f ON f.id = o.follow_up_id WHERE f.id = ?",
            (follow_up_id,),
        ).fetchall()
    finally:
        database.close()
    assert recorded == [("active", "email_link", "closed")]


def _open_follow_ups(folder, count: int) -> list[int]:
    """Open follow-ups of residents with a mobile number, as many as asked, once planned."""
    database = sqlite3.connect(folder / "followup.db")
    try:
        deadline = time.monotonic() + 60
        while True:
            rows = database.execute(
                "SELECT f.id FROM follow_ups f JOIN phone_numbers p ON p.client_id = f.client_id "
                "WHERE f.state = 'open' AND p.type = 'mobile' AND p.retired_at IS NULL "
                "ORDER BY f.id DESC LIMIT ?",
                (count,),
            ).fetchall()
            if len(rows) == count:
                return [row[0] for row in rows]
            assert time.monotonic() < deadline, "no follow-ups opened"
            time.sleep(0.5)
    finally:
        database.close()


def _one(folder, query: str, *args) -> tuple | None:
    database = sqlite3.connect(folder / "followup.db")
    try:
        return database.execute(query, args).fetchone()
    finally:
        database.close()


def test_a_resident_chooses_the_time_to_be_called_on_a_phone(demo_server, page):
    base, folder = demo_server
    [follow_up_id, _] = _open_follow_ups(folder, 2)
    phone = page.context.browser.new_page(viewport={"width": 360, "height": 740})
    phone.goto(ResponseLinks(base, SECRET).url(follow_up_id, date.today()))
    expect(phone.get_by_text("Wanneer kunnen wij u het best bellen?")).to_be_visible()
    phone.get_by_role("button", name="In de avond, rond 18.30 uur").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Dank u wel")
    expect(phone.get_by_text("Wij bellen u voortaan in de avond, rond 18.30 uur.")).to_be_visible()
    phone.close()
    chosen = _one(
        folder,
        "SELECT c.call_part FROM clients c JOIN follow_ups f ON f.client_id = c.id WHERE f.id = ?",
        follow_up_id,
    )
    assert chosen == ("evening",)


def test_a_resident_corrects_their_number_with_the_code_sent_to_it(demo_server, page):
    base, folder = demo_server
    [_, follow_up_id] = _open_follow_ups(folder, 2)
    new_number = "+31655551237"
    phone = page.context.browser.new_page(viewport={"width": 360, "height": 740})
    phone.goto(ResponseLinks(base, SECRET).url(follow_up_id, date.today()))
    phone.get_by_role("link", name="Nieuw mobiel nummer doorgeven").click()
    phone.get_by_label("Uw nieuwe mobiele nummer").fill("06 5555 1237")
    phone.get_by_role("button", name="Stuur mij een code").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Vul de code in")

    # The resident reads the SMS: the dialer sent it to the new number, through the carrier.
    deadline = time.monotonic() + 60
    while not (
        sent := _one(
            folder,
            "SELECT message FROM attempts WHERE to_address = ? AND carrier_sid IS NOT NULL",
            new_number,
        )
    ):
        assert time.monotonic() < deadline, "no code was sent"
        time.sleep(0.5)
    code = re.search(r"Uw code is (\d{6})\.", sent[0])[1]
    wrong = "000000" if code != "000000" else "111111"
    phone.get_by_label("De code uit de sms (6 cijfers)").fill(wrong)
    phone.get_by_role("button", name="Code controleren").click()
    expect(phone.get_by_text("Deze code klopt niet.")).to_be_visible()
    phone.get_by_label("De code uit de sms (6 cijfers)").fill(code)
    phone.get_by_role("button", name="Code controleren").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Uw nummer is opgeslagen")
    phone.close()

    current = _one(
        folder,
        "SELECT p.e164 FROM phone_numbers p JOIN follow_ups f ON f.client_id = p.client_id "
        "WHERE f.id = ? AND p.retired_at IS NULL AND p.label = 'primary'",
        follow_up_id,
    )
    kept = _one(
        folder,
        "SELECT count(*) FROM phone_numbers p JOIN follow_ups f ON f.client_id = p.client_id "
        "WHERE f.id = ? AND p.retired_at IS NOT NULL",
        follow_up_id,
    )
    assert current == (new_number,)
    assert kept[0] >= 1  # the old number stays in the history
