"""Screenshots of every page at 1280x800 and 360x740, against `followup serve --demo` in a
temporary folder, with an agent signed in and a few residents' SMS replies waiting.

    .venv/bin/python scripts/screenshots.py [FOLDER]     (default: docs/screenshots)

Needs the test extra (Playwright) and Debian's Chromium. It also prints each page's width as
the browser lays it out: wider than the window means the page scrolls sideways. Before
committing them, `optipng -o5 -strip all docs/screenshots/*.png` makes them a fifth smaller.
"""

import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from twilio.request_validator import RequestValidator

from followup.rules.response_links import ResponseLinks
from followup.services.demo import DEMO_PASSWORD
from followup.settings import SIM_AUTH_TOKEN, SIM_FROM

FOLLOWUP = Path(sys.executable).with_name("followup")
SECRET = "a-screenshot-secret-key-that-signs-response-links"
AGENT, PASSWORD = "agent@gemeente.example", "een lang wachtwoord"
ADMIN = "beheer@demo.example"  # the demo's own admin account
ADMIN_PAGES = {
    "beheer": "/beheer",
    "sjablonen": "/belwachtrij/sjablonen",
    "tempo": "/tempo",
    "zorgwoorden": "/zorgwoorden",
    "planning": "/planning",
    "wachtwoord": "/wachtwoord",
}
SIZES = {"1280": (1280, 800), "360": (360, 740)}
REPLIES = (
    "Bel mij",
    "ik heb nu werk gevonden bij de bakker, 3 dagen per week",
    "wie is dit?",
    "ik ben wanhopig, het lukt me niet meer",  # a care word: first in the list, flagged
)


@contextmanager
def demo(folder: Path):
    """`followup serve --demo`; yields its address once it answers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWUP_")}
    env["FOLLOWUP_SECRET_KEY"] = SECRET
    log = (folder / "serve.log").open("w")
    server = subprocess.Popen(
        [FOLLOWUP, "serve", "--demo", "--port", "0"],
        cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not (started := re.search(r"draait op (http://[^/\s]+)/", log_text(folder))):
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the demo did not start:\n{log_text(folder)}")
            time.sleep(0.5)
        subprocess.run(
            [FOLLOWUP, "user", "add", AGENT, "--role", "agent", "--phone", "06-11112222"],
            cwd=folder, env=env, input=PASSWORD + "\n", text=True, check=True,
        )  # fmt: skip
        yield started[1]
    finally:
        server.terminate()
        server.wait(30)


def log_text(folder: Path) -> str:
    return (folder / "serve.log").read_text()


def open_follow_ups(database: Path) -> tuple[int, int, list[str], list[int]]:
    """An open follow-up and its resident, the mobile numbers of a few residents with one, and
    other residents with an open follow-up, one a window size, to mark as needing care."""
    with sqlite3.connect(database) as db:
        deadline = time.monotonic() + 60
        while not db.execute("SELECT count(*) FROM follow_ups WHERE state = 'open'").fetchone()[0]:
            if time.monotonic() > deadline:
                raise SystemExit("the demo opened no follow-up")
            time.sleep(0.5)
        first, client = db.execute(
            "SELECT id, client_id FROM follow_ups WHERE state = 'open' ORDER BY id LIMIT 1"
        ).fetchone()
        numbers = db.execute(
            "SELECT DISTINCT p.e164 FROM phone_numbers p JOIN follow_ups f"
            " ON f.client_id = p.client_id WHERE f.state = 'open' AND p.e164 LIKE '+316%'"
            " ORDER BY p.e164 LIMIT ?",
            (len(REPLIES),),
        ).fetchall()
        others = db.execute(
            "SELECT client_id FROM follow_ups WHERE state = 'open' AND client_id != ?"
            " ORDER BY id DESC LIMIT ?",
            (client, len(SIZES)),
        ).fetchall()
    return first, client, [number for (number,) in numbers], [other for (other,) in others]


def sms(base: str, sender: str, body: str, number: int) -> None:
    """A resident's SMS, as the carrier posts it."""
    params = {"MessageSid": f"SM{number:032d}", "From": sender, "To": SIM_FROM, "Body": body}
    url = base + "/webhooks/twilio/sms"
    signature = RequestValidator(SIM_AUTH_TOKEN).compute_signature(url, params)
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(params).encode(), headers={"X-Twilio-Signature": signature}
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


def shoot(page: Page, out: Path, name: str, size: str, *, whole: bool = False) -> None:
    """The window, or with `whole` the page from top to bottom (a long report)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    print(f"{name}-{size}.png: {width} px wide in a window of {page.viewport_size['width']}")
    page.screenshot(path=str(out / f"{name}-{size}.png"), full_page=whole)


def care_shots(page: Page, out: Path, size: str, card: str) -> None:
    """The care signal on a card: the form, then the card once the agent named themselves."""
    page.goto(card)
    page.locator("#zorgsignaal").scroll_into_view_if_needed()
    shoot(page, out, "zorgsignaal", size)
    page.get_by_label("Collega die het oppakt").select_option(label=AGENT)
    page.get_by_role("button", name="Zorgsignaal geven").click()
    page.locator("#zorgsignaal").scroll_into_view_if_needed()
    shoot(page, out, "zorgsignaal-gegeven", size)


def response_shots(page: Page, out: Path, size: str, link: str) -> None:
    """A resident corrects their details: a number that cannot take the code (the same at
    any hour; a good one gets its code only in the message window), then a new address."""
    page.goto(f"{link}/nummer")
    page.get_by_label("Uw nieuwe mobiele nummer").fill("050 367 1234")
    page.get_by_role("button", name="Stuur mij een code").click()
    shoot(page, out, "antwoord-nummer", size)
    page.goto(f"{link}/email")
    page.get_by_label("Uw nieuwe e-mailadres").fill("inwoner@voorbeeld.nl")
    page.get_by_role("button", name="E-mailadres opslaan").click()
    shoot(page, out, "antwoord-email", size)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots").resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temp, demo(Path(temp)) as base:
        follow_up, client, numbers, cared = open_follow_ups(Path(temp) / "followup.db")
        for n, (number, body) in enumerate(zip(numbers, REPLIES, strict=False), start=1):
            sms(base, number, body, n)
        link = ResponseLinks(base, SECRET).url(follow_up, date.today())
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            for (size, (width, height)), care_client in zip(SIZES.items(), cared, strict=True):
                window = {"width": width, "height": height}
                page = browser.new_page(viewport=window, locale="nl-NL")
                page.goto(base + "/")
                shoot(page, out, "home", size)
                page.goto(base + "/inloggen")
                page.get_by_label("E-mailadres").fill(AGENT)
                page.get_by_label("Wachtwoord").fill("fout")
                page.get_by_role("button", name="Inloggen").click()  # the error message
                page.get_by_label("Wachtwoord").focus()  # shows the focus outline too
                shoot(page, out, "inloggen", size)
                page.get_by_label("Wachtwoord").fill(PASSWORD)
                page.get_by_role("button", name="Inloggen").click()
                page.goto(base + "/belwachtrij")
                page.wait_for_timeout(1000)  # the live lists have arrived
                shoot(page, out, "belwachtrij", size)
                page.goto(f"{base}/belwachtrij/inwoners/{client}")
                page.wait_for_timeout(500)
                shoot(page, out, "kaart", size)
                page.keyboard.press("t")  # the shortcut for "Terugbellen op …"
                page.locator("#terugbellen").scroll_into_view_if_needed()
                shoot(page, out, "afronden", size)
                care_shots(page, out, size, f"{base}/belwachtrij/inwoners/{care_client}")
                page.goto(base + "/belwachtrij")
                page.wait_for_timeout(1000)
                page.locator("#zorgsignalen").scroll_into_view_if_needed()
                shoot(page, out, "belwachtrij-zorg", size)
                page.goto(link)
                shoot(page, out, "antwoord", size)
                page.locator("#echt").scroll_into_view_if_needed()
                shoot(page, out, "antwoord-gemeente", size)
                response_shots(page, out, size, link)
                page.close()
                admin = browser.new_page(
                    viewport={"width": width, "height": height}, locale="nl-NL"
                )
                admin.goto(base + "/inloggen")
                admin.get_by_label("E-mailadres").fill(ADMIN)
                admin.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
                admin.get_by_role("button", name="Inloggen").click()
                for name, path in ADMIN_PAGES.items():
                    admin.goto(base + path)
                    shoot(admin, out, name, size)
                admin.goto(base + "/planning")
                admin.get_by_label("Geleerd", exact=False).check()  # how the choice looks
                shoot(admin, out, "planning-beltijd", size)
                admin.goto(base + "/beheer/audit")
                admin.get_by_role("button", name="Nu controleren").click()  # the chain's state
                shoot(admin, out, "audit", size)
                admin.goto(base + "/bereik")
                shoot(admin, out, "bereik", size, whole=True)
                admin.close()
            browser.close()


if __name__ == "__main__":
    main()
