"""A whole demo day, and then every line the service and the commands printed: no phone
number, e-mail address, name or message body may be in any of them.

`followup serve --demo` runs with its scheduler on short intervals (planning and dispatch
passes), first with JSON logs, then restarted with text logs on the same database (and
/metrics on a port of its own). Each time: an import through the command line, the
residents' replies from the simulated phones, an agent's call and SMS from a resident's card
and the result recorded, the coordinator's pages and downloads, the admin page adding a
colleague, a resident's response page, a wrong sign-in and /metrics. Afterwards the names,
numbers, addresses, message bodies, replies and notes are read from the database, the carrier
and the outbox, and looked for in every line."""

import asyncio
import email
import json
import re
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp

from followup.services.demo import DEMO_ACCOUNTS, DEMO_COLLEAGUES, DEMO_PASSWORD
from tests.support.files import row, write_csv
from tests.support.log_scan import held_secrets, leaks
from tests.support.processes import clean_env, followup, serving
from tests.support.staff import post_form, sign_in

AGENT, COORDINATOR, ADMIN = (account.email for account in DEMO_ACCOUNTS)
ZONE = ZoneInfo("Europe/Amsterdam")
METRICS_TOKEN = "a-token-for-prometheus-only"
FOLLOW_UP = re.compile(r'name="follow_up" value="(\d+)"')
SIM_PHONE = re.compile(r'href="(http://[^"]+)/sim/phone"')
OWN_METRICS = re.compile(r"metrics: on (http://[\d.:]+/metrics)")
RESPONSE_LINK = re.compile(r"http://\S+(/antwoord/[\w.=-]+)")
# Phrases a person typed, each unlike anything else, so a leak of one is found verbatim.
TYPED = {
    "reply": "Ik heb sinds maandag werk bij de groenteboer op de Vismarkt",
    "agent SMS": "Fijn dat u werk heeft gevonden, succes bij de groenteboer",
    "note": "Vertelde over haar opleiding tot doktersassistente in Assen",
    "new number": "06-47382910",
    "new address": "nieuw.adres.inwoner@voorbeeld.example",
    "unknown sign-in": "iemand.anders@gemeente.example",
    "stranger": "Wie is dit? Ik ken u niet, bel me niet meer",
}


def residents(folder: Path, day: int) -> Path:
    """Three residents due today: one by SMS, one by SMS and e-mail, one by e-mail only."""
    talked = (datetime.now(ZONE).date() - timedelta(days=120)).isoformat()
    return write_csv(
        folder / f"inwoners-{day}.csv",
        [
            row(f"LOG{day}1", name=f"Machteld Brouwersgracht{day}", phone=f"06-2938475{day}",
                date=talked, months="3"),
            row(f"LOG{day}2", name=f"Sjoerd Wiersma-Kooistra{day}", phone=f"+31 6 1928 374{day}",
                email=f"sjoerd.wiersma{day}@voorbeeld.example", date=talked, months="3"),
            row(f"LOG{day}3", name=f"Gerdientje Hoekstra{day}", phone="",
                email=f"g.hoekstra{day}@voorbeeld.example", date=talked, months="3"),
        ],
    )  # fmt: skip


async def signed_in(base: str, address: str, password: str = DEMO_PASSWORD):
    http = aiohttp.ClientSession(base, cookie_jar=aiohttp.CookieJar(unsafe=True))
    assert (await sign_in(http, address, password)).status == 303, address
    return http


async def agents_call(base: str, agent: str) -> None:
    """Next resident, click-to-call, an SMS from the card, and the result recorded."""
    http = await signed_in(base, agent)
    async with http:
        assert (await http.get("/belwachtrij")).status == 200
        taken = await post_form(http, "/belwachtrij/volgende")
        assert taken.status == 303
        card_path = taken.headers["Location"].split("?")[0]
        card = await (await http.get(card_path)).text()
        form = {"follow_up": FOLLOW_UP.search(card)[1]}
        assert (await post_form(http, card_path + "/bellen", form)).status == 303
        sms = await post_form(http, card_path + "/sms", form | {"tekst": TYPED["agent SMS"]})
        assert sms.status in (200, 303)
        card = await (await http.get(card_path)).text()
        result = {
            "resultaat": "in_progress",
            "notitie": TYPED["note"],
            "nieuw_nummer": TYPED["new number"],
            "nieuw_email": TYPED["new address"],
            "laatste": re.search(r'name="laatste" value="([^"]*)"', card)[1],
        }
        if call := re.search(r'name="gesprek" value="(\d+)"', card):
            result["gesprek"] = call[1]
        recorded = await post_form(http, card_path + "/afronden", form | result)
        assert recorded.status in (200, 303)


async def coordinators_and_admins_pages(base: str, day: int) -> None:
    async with await signed_in(base, COORDINATOR) as http:
        for path in ("/bereik", "/bereik?wijk=Selwerd", "/bereik/download.csv",
                     "/bereik/download.xlsx", "/tempo", "/planning", "/belwachtrij/sjablonen",
                     "/"):  # fmt: skip
            assert (await http.get(path)).status == 200, path
    async with await signed_in(base, ADMIN) as http:
        assert (await http.get("/beheer")).status == 200
        colleague = {
            "email": f"nieuwe.collega{day}@gemeente.example",
            "rol": "agent",
            "wachtwoord": "een lang wachtwoord",
        }
        assert (await post_form(http, "/beheer/gebruikers", colleague)).status == 303


async def wrong_sign_ins(base: str) -> None:
    async with aiohttp.ClientSession(base, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        assert (await sign_in(http, AGENT, "een verkeerd wachtwoord")).status == 401
        assert (await sign_in(http, TYPED["unknown sign-in"], DEMO_PASSWORD)).status == 401


async def residents_answer(base: str, folder: Path, day: int) -> None:
    """A reply from the phones, and an answer on the response page of an e-mail's link."""
    async with aiohttp.ClientSession() as http:
        home = await (await http.get(base + "/")).text()
        sim = SIM_PHONE.search(home)[1]
        replies = {
            f"+3162938475{day}": TYPED["reply"] + f" {day}",
            f"+3161928374{day}": "STOP",
            f"+3169876543{day}": TYPED["stranger"],  # a number the service does not know
        }
        for number, text in replies.items():
            reply = await http.post(
                f"{sim}/sim/phone/{number}/antwoord", data={"antwoord": text}, allow_redirects=False
            )
            assert reply.status == 303
        link = await _response_link(folder)
        assert (await http.get(base + link)).status == 200
        answered = await http.post(base + link, data={"keuze": "3"})
        assert answered.status == 200
        assert (await http.get(base + "/antwoord/een-link-die-niet-klopt")).status == 404


async def monitoring(base: str, folder: Path) -> None:
    """/healthz, and /metrics with the token: on a port of its own when serve says so."""
    own_port = OWN_METRICS.search((folder / "serve.log").read_text())
    token = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    async with aiohttp.ClientSession() as http:
        assert (await http.get(base + "/healthz")).status == 200
        main = await http.get(base + "/metrics", headers=token)
        assert main.status == (404 if own_port else 200)
        if own_port:
            assert (await http.get(own_port[1], headers=token)).status == 200


async def _response_link(folder: Path) -> str:
    """A link from an e-mail the dispatcher wrote to the outbox (one is due by now; a minute
    at most, for a busy machine)."""
    for _ in range(300):
        for path in sorted((folder / "outbox").glob("*.eml")):
            if found := RESPONSE_LINK.search(_body(path)):
                return found[1]
        await asyncio.sleep(0.2)
    raise AssertionError("no e-mail with a response link was written")


def _body(path: Path) -> str:
    message = email.message_from_bytes(path.read_bytes())
    parts = message.walk() if message.is_multipart() else [message]
    return "\n".join(
        part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        for part in parts
        if part.get_content_maintype() == "text"
    )


async def carried(base: str) -> list[tuple[str, str]]:
    """Every text the simulated carrier carried, both ways (it lives in the serve process)."""
    async with aiohttp.ClientSession() as http:
        sim = SIM_PHONE.search(await (await http.get(base + "/")).text())[1]
        messages = await (await http.get(sim + "/sim/messages")).json()
    return [("SMS body", message["body"]) for message in messages if message.get("body")]


async def play(folder: Path, env: dict[str, str], day: int) -> tuple[list[str], list[tuple]]:
    """One run of serve; the lines everything printed, and the texts the carrier carried."""
    printed: list[str] = []
    # Loading the demo takes 16 s on two idle cores; much longer on a busy machine.
    with serving("--demo", cwd=folder, env=env, ready_timeout=300) as base:
        imported = await asyncio.to_thread(
            followup, "import", str(residents(folder, day)), cwd=folder, env=env
        )
        assert imported.returncode == 0, imported.stderr
        printed += imported.stdout.splitlines() + imported.stderr.splitlines()
        await wrong_sign_ins(base)
        # Another agent each day: the simulated carrier lives in the serve process, so a call
        # still going when it stops never ends, and its agent could not call again.
        await agents_call(base, (AGENT, *(c.email for c in DEMO_COLLEAGUES))[day - 1])
        await residents_answer(base, folder, day)
        await monitoring(base, folder)
        await coordinators_and_admins_pages(base, day)
        report = await asyncio.to_thread(followup, "report", cwd=folder, env=env)
        printed += report.stdout.splitlines() + report.stderr.splitlines()
        texts = await carried(base)
    return printed + (folder / "serve.log").read_text().splitlines(), texts


def emails_written(folder: Path) -> list[tuple[str, str]]:
    return [("e-mail body", _body(path)) for path in (folder / "outbox").glob("*.eml")]


async def test_a_demo_day_leaves_no_personal_data_in_any_log_line(tmp_path):
    env = clean_env(
        FOLLOWUP_SECRET_KEY="an-e2e-secret-key-for-the-demo-day-log-test",
        FOLLOWUP_PLAN_INTERVAL_SECONDS="10",
        FOLLOWUP_DISPATCH_INTERVAL_SECONDS="1",
        FOLLOWUP_METRICS_TOKEN=METRICS_TOKEN,
    )
    json_lines, json_texts = await play(tmp_path, env | {"FOLLOWUP_LOG_FORMAT": "json"}, 1)
    # Restarted with text logs, and /metrics on a port of its own (one free, as serve says).
    text_env = env | {"FOLLOWUP_LOG_FORMAT": "text", "FOLLOWUP_METRICS_PORT": "0"}
    text_lines, text_texts = await play(tmp_path, text_env, 2)

    with sqlite3.connect(tmp_path / "followup.db") as database:
        texts = [*TYPED.items(), *json_texts, *text_texts, *emails_written(tmp_path)]
        secrets = held_secrets(database, texts)
        known = [f"LOG{day}{n}" for day in (1, 2) for n in (1, 2, 3)]
        imported = database.execute(
            "SELECT name FROM clients WHERE client_ref IN (?, ?, ?, ?, ?, ?)", known
        ).fetchall()
    assert len(imported) == 6 and len(secrets.found) > 5000  # the demo's residents and more

    # The scanner finds what it looks for: a resident's number, name, a body, an address.
    planted = [f"x {number} x" for number in ("+31629384751", "06-29384751", "0031629384751")]
    planted += ["Machteld Brouwersgracht1 belde", TYPED["reply"], "aan jan@voorbeeld.example"]
    links = (RESPONSE_LINK.search(body) for _, body in emails_written(tmp_path))
    planted.append(f"GET {next(link for link in links if link)[1]} 200")
    assert len(leaks(planted, secrets)) == len(planted)

    # Every line that serve and the commands printed, in both formats.
    assert leaks(json_lines + text_lines, secrets) == []

    # The day happened, and the service logged it: one line per request, in both formats.
    access = [json.loads(line) for line in json_lines if '"followup.access"' in line]
    routes = {line["route"] for line in access}
    day = {"/antwoord/{token}", "/belwachtrij/volgende", "/webhooks/twilio/sms",
           "/bereik/download.csv", "/beheer/gebruikers", "/inloggen"}  # fmt: skip
    assert day <= routes, routes
    assert all(line["request_id"] for line in access)
    assert {"agent", "coordinator", "admin"} <= {line.get("role") for line in access}
    assert any("followup.access [request" in line for line in text_lines)
    assert any(OWN_METRICS.search(line) for line in text_lines)
