"""Residents correct their own contact details on the response page: a new mobile number
counts once the code sent to it comes back, an e-mail address at once; the old one stays in
the history. A forwarded, forged or expired link, a wrong or late code, a form sent twice,
too many codes and odd input change nothing and reveal nobody."""

import re
from datetime import UTC, timedelta

import pytest
import sqlalchemy as sa

from followup.app import create_app
from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import AttemptPurpose, AttemptState, Channel, ContactKind, PhoneLabel
from followup.rules.planning_rules import PlanningRules
from followup.rules.response_links import ResponseLinks
from followup.services.client_export import export_client
from followup.services.erasure import erase_client
from followup.services.self_service import CodeSettings, request_code
from followup.settings import Settings
from followup.store.tables import Attempt, Client, ContactChange, NumberCheck, PhoneNumber
from tests.support.carrier import MONDAY, ZONE, outbound_world
from tests.support.files import row
from tests.support.rows import NOW, add_client, add_follow_up, add_phone

SECRET = "a-test-secret-key-that-signs-response-links"
OLD, NEW = "+31612345678", "+31687654321"
OLD_MAIL = "oud@voorbeeld.nl"


class Clock:
    def __init__(self) -> None:
        self.now = MONDAY.astimezone(UTC)

    def __call__(self):
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def page(db_url, aiohttp_client, clock):
    settings = Settings(_env_file=None, database_url=db_url)
    return await aiohttp_client(create_app(settings, secret_key=SECRET, clock=clock, jobs=False))


async def resident(sessions, ref: str = "A", phone: str = OLD, closed: bool = False) -> tuple:
    """(client id, follow-up id) of a resident with a mobile number and an e-mail address."""
    async with sessions() as session, session.begin():
        client_id, conversation_id = await add_client(session, ref)
        await add_phone(session, client_id, phone)
        await session.execute(
            sa.update(Client).where(Client.id == client_id).values(email=OLD_MAIL)
        )
        follow_up = await add_follow_up(
            session,
            client_id,
            conversation_id,
            round_number=1,
            opened_at=NOW,
            outcome=("active", None) if closed else None,
        )
    return client_id, follow_up.id


@pytest.fixture
async def link(sessions) -> str:
    _, follow_up_id = await resident(sessions)
    return ResponseLinks("", SECRET).url(follow_up_id, MONDAY.date())


async def code_messages(sessions) -> list[Attempt]:
    async with sessions() as session:
        return list(
            await session.scalars(
                sa.select(Attempt)
                .where(Attempt.purpose == AttemptPurpose.AGENT_MESSAGE)
                .order_by(Attempt.id)
            )
        )


async def last_code(sessions) -> str:
    return re.search(r"\d{6}", (await code_messages(sessions))[-1].message)[0]


async def numbers(sessions, client_id: int = 1) -> dict[str, bool]:
    """The client's primary numbers: e164 -> still current."""
    async with sessions() as session:
        rows = await session.execute(
            sa.select(PhoneNumber.e164, PhoneNumber.retired_at).where(
                PhoneNumber.client_id == client_id, PhoneNumber.label == PhoneLabel.PRIMARY
            )
        )
        return {e164: retired is None for e164, retired in rows}


async def changes(sessions) -> list[tuple]:
    async with sessions() as session:
        rows = await session.execute(
            sa.select(
                ContactChange.kind,
                ContactChange.old_value,
                ContactChange.new_value,
                ContactChange.user_id,
            ).order_by(ContactChange.id)
        )
        return [tuple(r) for r in rows]


async def test_the_page_says_who_we_are_and_nothing_about_the_resident(page, link):
    text = await (await page.get(link)).text()
    team = Settings(_env_file=None).team_number
    assert "Is dit echt van de gemeente?" in text
    assert f"Wij bellen en sturen sms vanaf <strong>{team}</strong>" in text
    assert "Meedoen is vrijwillig." in text
    assert f"stuur een sms met STOP naar {team}" in text
    assert "Nieuw mobiel nummer doorgeven" in text and "Nieuw e-mailadres doorgeven" in text
    for private in ("12345678", "612345678", OLD_MAIL, "Inwoner"):
        assert private not in text


async def test_a_new_number_counts_once_the_code_sent_to_it_comes_back(sessions, page, link):
    form = await page.get(f"{link}/nummer")
    assert "Uw nieuwe mobiele nummer" in await form.text()

    sent = await page.post(f"{link}/nummer", data={"nummer": "06 87 65 43 21"})
    text = await sent.text()
    assert sent.status == 200 and "Vul de code in" in text
    assert "87654321" not in text and "12345678" not in text
    [code_sms] = await code_messages(sessions)
    # Queued like an agent's SMS, but to the new number, by no agent, due now.
    assert (code_sms.channel, code_sms.state, code_sms.to_address) == (
        Channel.SMS,
        AttemptState.QUEUED,
        NEW,
    )
    assert (code_sms.phone_number_id, code_sms.agent_id) == (None, None)
    code = await last_code(sessions)
    async with sessions() as session:
        check = (await session.scalars(sa.select(NumberCheck))).one()
    assert check.e164 == NEW and code not in check.code_mac
    assert await numbers(sessions) == {OLD: True}  # nothing changed yet

    done = await page.post(f"{link}/code", data={"code": code})
    assert done.status == 200
    assert "Uw nummer is opgeslagen" in await done.text()
    assert await numbers(sessions) == {OLD: False, NEW: True}  # the old one kept, retired
    assert await changes(sessions) == [(ContactKind.PHONE, OLD, NEW, None)]
    async with sessions() as session:
        check = (await session.scalars(sa.select(NumberCheck))).one()
        message = await session.scalar(sa.select(Attempt.message).where(Attempt.id == code_sms.id))
    assert (check.e164, check.code_mac, check.result) == (None, None, "confirmed")
    assert code not in message  # staff never read a code

    # The same form again: nothing waits, nothing changes.
    replayed = await page.post(f"{link}/code", data={"code": code})
    assert replayed.status == 400
    assert "Er wacht geen code op u." in await replayed.text()
    assert len(await changes(sessions)) == 1


async def test_a_code_wrong_three_times_voids_the_change(sessions, page, link):
    await page.post(f"{link}/nummer", data={"nummer": "0687654321"})
    code = await last_code(sessions)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(2):
        response = await page.post(f"{link}/code", data={"code": wrong})
        assert response.status == 400
        assert "Deze code klopt niet." in await response.text()
    third = await page.post(f"{link}/code", data={"code": wrong})
    text = await third.text()
    assert "Uw nummer is niet veranderd" in text and "3 keer een verkeerde code" in text
    # Now even the right code changes nothing; the resident may start again.
    late = await page.post(f"{link}/code", data={"code": code})
    assert "Er wacht geen code op u." in await late.text()
    assert await numbers(sessions) == {OLD: True}
    assert await changes(sessions) == []
    again = await page.post(f"{link}/nummer", data={"nummer": "0687654321"})
    assert again.status == 200


async def test_a_late_code_changes_nothing(sessions, page, link, clock):
    await page.post(f"{link}/nummer", data={"nummer": "0687654321"})
    code = await last_code(sessions)
    clock.now += timedelta(minutes=30)
    response = await page.post(f"{link}/code", data={"code": code})
    assert response.status == 400
    assert "ouder dan 30 minuten" in await response.text()
    assert await numbers(sessions) == {OLD: True}


async def test_a_few_codes_a_day_and_only_the_last_one_works(sessions, page, link, clock):
    codes = []
    for _ in range(3):
        assert (await page.post(f"{link}/nummer", data={"nummer": "0687654321"})).status == 200
        codes.append(await last_code(sessions))
    refused = await page.post(f"{link}/nummer", data={"nummer": "0687654321"})
    assert refused.status == 400
    assert "te vaak een code gevraagd" in await refused.text()
    messages = await code_messages(sessions)
    assert len(messages) == 3
    # Each new code replaced the one before, whose SMS, not sent yet, need not go out.
    assert [m.state for m in messages] == [
        AttemptState.CANCELLED,
        AttemptState.CANCELLED,
        AttemptState.QUEUED,
    ]
    if codes[0] != codes[2]:
        first = await page.post(f"{link}/code", data={"code": codes[0]})
        assert "Deze code klopt niet." in await first.text()
    assert (await page.post(f"{link}/code", data={"code": codes[2]})).status == 200
    assert await numbers(sessions) == {OLD: False, NEW: True}
    clock.now += timedelta(days=1)
    assert (await page.post(f"{link}/nummer", data={"nummer": "0611112222"})).status == 200


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("050 367 1234", "Dit is geen mobiel nummer."),
        ("085 123 4567", "Dit is geen mobiel nummer."),
        ("06 1234", "Dit nummer klopt niet."),
        ("+44 7911 123456", "Vul een Nederlands mobiel nummer in."),
        ("", "Vul uw nieuwe mobiele nummer in."),
        ("6" * 100_000, "Dit nummer is te lang."),
    ],
)
async def test_what_is_not_a_dutch_mobile_number_gets_no_code(sessions, page, link, given, says):
    response = await page.post(f"{link}/nummer", data={"nummer": given})
    assert response.status == 400
    assert says in await response.text()
    assert await code_messages(sessions) == []


async def test_oversized_or_odd_input_changes_nothing(sessions, page, link):
    await page.post(f"{link}/nummer", data={"nummer": "0687654321"})
    for code in ("1" * 100_000, "' OR 1=1 --", ""):
        response = await page.post(f"{link}/code", data={"code": code})
        assert response.status == 400
    response = await page.post(f"{link}/email", data={"email": "x" * 100_000 + "@voorbeeld.nl"})
    assert response.status == 400
    assert await numbers(sessions) == {OLD: True}
    assert await changes(sessions) == []


async def test_another_residents_number_is_treated_like_any_number(sessions, page, link):
    """The page reveals no one: the same answer as for any number; the code proves whose
    phone it is, and the other resident's own number stays theirs."""
    other_id, _ = await resident(sessions, "B", phone=NEW)
    response = await page.post(f"{link}/nummer", data={"nummer": "06 87654321"})
    assert response.status == 200 and "Vul de code in" in await response.text()
    await page.post(f"{link}/code", data={"code": await last_code(sessions)})
    assert await numbers(sessions, other_id) == {NEW: True}


@pytest.mark.parametrize("path", ["nummer", "code", "email"])
async def test_a_forged_or_expired_link_changes_nothing(sessions, page, path):
    _, follow_up_id = await resident(sessions)
    data = {"nummer": "0687654321", "code": "123456", "email": "nieuw@voorbeeld.nl"}
    forged = await page.post(f"/antwoord/{follow_up_id}.20270101.{'A' * 22}/{path}", data=data)
    assert forged.status == 404
    old = ResponseLinks("", SECRET).url(follow_up_id, MONDAY.date() - timedelta(days=61))
    expired = await page.post(f"{old}/{path}", data=data)
    assert expired.status == 410
    assert "Deze link is verlopen" in await expired.text()
    assert await code_messages(sessions) == []
    assert await changes(sessions) == []


async def test_after_the_answer_the_page_says_so(sessions, page):
    _, follow_up_id = await resident(sessions, closed=True)
    link = ResponseLinks("", SECRET).url(follow_up_id, MONDAY.date())
    for response in (
        await page.get(f"{link}/nummer"),
        await page.get(f"{link}/email"),
        await page.post(f"{link}/nummer", data={"nummer": "0687654321"}),
        await page.post(f"{link}/code", data={"code": "123456"}),
        await page.post(f"{link}/email", data={"email": "nieuw@voorbeeld.nl"}),
    ):
        assert "U heeft al geantwoord" in await response.text()
    assert await code_messages(sessions) == []
    assert await changes(sessions) == []


async def test_a_new_email_address_is_saved_and_the_old_one_kept(sessions, page, link):
    assert "Uw nieuwe e-mailadres" in await (await page.get(f"{link}/email")).text()
    wrong = await page.post(f"{link}/email", data={"email": "geen adres"})
    assert wrong.status == 400
    assert "Dit e-mailadres klopt niet." in await wrong.text()
    saved = await page.post(f"{link}/email", data={"email": " Nieuw@Voorbeeld.NL"})
    assert saved.status == 200
    text = await saved.text()
    assert "Uw e-mailadres is opgeslagen" in text and "nieuw@voorbeeld.nl" in text
    assert OLD_MAIL not in text
    async with sessions() as session:
        assert await session.scalar(sa.select(Client.email)) == "nieuw@voorbeeld.nl"
    assert await changes(sessions) == [(ContactKind.EMAIL, OLD_MAIL, "nieuw@voorbeeld.nl", None)]


async def test_a_waiting_number_is_exported_and_erased_with_the_resident(sessions, page, link):
    await page.post(f"{link}/nummer", data={"nummer": "0687654321"})
    exported = await export_client(sessions, client_ref="A", now=NOW, actor="test")
    assert [r["e164"] for r in exported["tables"]["number_checks"]] == [NEW]
    await erase_client(sessions, client_ref="A", now=NOW, actor="test")
    async with sessions() as session:
        check = (await session.scalars(sa.select(NumberCheck))).one()
        to = await session.scalar(sa.select(Attempt.to_address))
    assert (check.e164, check.code_mac, to) == (None, None, None)


async def test_the_dialer_sends_the_code_to_the_new_number_only(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        await world.load([row("S", phone="06-12345678")], tmp_path)
        await world.plan()
        async with world.sessions() as session:
            follow_up_id = await session.scalar(sa.text("SELECT id FROM follow_ups"))
        settings = CodeSettings(SECRET, PlanningRules(), ContactCalendar(ZONE))
        await request_code(world.sessions, follow_up_id, "06 87654321", MONDAY, settings)
        await world.dispatch()
        to_new = [m for m in await world.received("messages") if m["to"] == NEW]
        assert len(to_new) == 1
        assert re.search(r"Uw code is \d{6}\.", to_new[0]["body"])
        assert all(
            "Uw code" not in m["body"] for m in await world.received("messages") if m["to"] == OLD
        )
