"""The agents' queue over HTTP, on SQLite and PostgreSQL: only signed-in staff see it;
residents who asked to be called come first; replies nobody could read wait for an agent's
decision; the agent's own calls show how they go; and an open page gets every change live,
over server-sent events. Each look at residents' data is audited."""

import asyncio
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from followup.app_keys import DISPATCH_SOON
from followup.rules.domain import (
    AttemptPurpose,
    AttemptState,
    Channel,
    OutcomeCategory,
    OutcomeSource,
    Role,
)
from followup.scheduling import run_soon
from followup.services.users import add_user
from followup.settings import SIM_AUTH_TOKEN, SIM_FROM, Settings
from followup.store.staff_tables import AuditRecord, User
from followup.store.tables import Attempt, Client, Outcome, SmsMessage
from followup.web import live_pages
from tests.support.events import read_event
from tests.support.rows import NOW, add_attempt, add_client, add_follow_up, add_phone
from tests.support.staff import post_form, sign_in
from tests.support.webhooks import Clock, app_for, signature

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
PUBLIC = "http://nabellen.gemeente.example"  # plain HTTP: the test client keeps no Secure cookie
SECRET = "k" * 43
PASSWORD = "een lang wachtwoord"
AGENT_PHONE = "06-11112222"


async def client_for(sessions, db_url, aiohttp_client, public_url: str = PUBLIC):
    settings = Settings(_env_file=None, database_url=db_url, public_url=public_url)
    return await aiohttp_client(app_for(settings, sessions, Clock(MONDAY), SECRET))


@pytest.fixture
async def web(sessions, db_url, aiohttp_client):
    return await client_for(sessions, db_url, aiohttp_client)


async def page_of(web) -> str:
    answer = await web.get("/belwachtrij", allow_redirects=False)
    assert answer.status == 200
    return await answer.text()


async def user(sessions, email: str, role: Role, phone: str | None = AGENT_PHONE) -> int:
    return await add_user(
        sessions, email=email, role=role, password=PASSWORD, now=NOW, actor="test", phone=phone
    )


async def signed_in(web, sessions, email: str = "a@gemeente.example", role=Role.AGENT):
    await user(sessions, email, role)
    answer = await sign_in(web, email, PASSWORD)
    assert answer.status == 303
    return answer


async def resident(sessions, ref: str, name: str, number: str, **call) -> int:
    """An open follow-up with a call due now (unless `call` says otherwise): the call's id."""
    async with sessions() as session, session.begin():
        client_id, conversation_id = await add_client(session, ref)
        await session.execute(sa.update(Client).where(Client.id == client_id).values(name=name))
        follow_up = await add_follow_up(
            session, client_id, conversation_id, round_number=1, opened_at=NOW
        )
        await add_phone(session, client_id, number)
        values = {"purpose": AttemptPurpose.CALL, "due_at": NOW} | call
        attempt = await add_attempt(
            session,
            follow_up.id,
            channel=Channel.CALL,
            state=AttemptState.QUEUED,
            sent_at=None,
            tries=0,
            **values,
        )
        return attempt.id


async def sms(web, body: str, sender: str, sid: str) -> None:
    params = {"MessageSid": sid, "From": sender, "To": SIM_FROM, "Body": body}
    path = "/webhooks/twilio/sms"
    answer = await web.post(
        path,
        data=params,
        headers={"X-Twilio-Signature": signature(SIM_AUTH_TOKEN, PUBLIC + path, params)},
    )
    assert answer.status == 200


async def audits(sessions, action: str) -> list[AuditRecord]:
    async with sessions() as session:
        return list(
            await session.scalars(sa.select(AuditRecord).where(AuditRecord.action == action))
        )


async def test_the_queue_asks_to_sign_in_first(web):
    answer = await web.get("/belwachtrij", allow_redirects=False)
    assert answer.status == 303
    assert answer.headers["Location"] == "/inloggen?terug=/belwachtrij"
    page = await (await web.get("/inloggen")).text()
    assert re.search(r'<label [^>]*for="email"[^>]*>E-mailadres</label>', page)
    assert 'autocomplete="current-password"' in page


async def test_callback_requests_come_first_then_due_calls(web, sessions):
    await resident(sessions, "1", "Due Eerst", "+31612340001", due_at=NOW - timedelta(hours=2))
    await resident(sessions, "2", "Bel Mij", "+31612340002", due_at=NOW + timedelta(days=30))
    await resident(sessions, "3", "Later", "+31612340003", due_at=MONDAY + timedelta(days=1))
    await signed_in(web, sessions)
    await sms(web, "bel mij", "+31612340002", "SM" + "2" * 32)
    page = await page_of(web)
    assert page.index("Bel Mij") < page.index("Due Eerst")
    assert "Wil gebeld worden (sinds 10:00)" in page
    assert "Later" not in page  # not due yet
    [viewed] = await audits(sessions, "queue_viewed")
    assert len(viewed.detail["clients"]) == 2


async def test_an_agent_takes_a_call_once(web, sessions):
    call = await resident(sessions, "1", "Anna", "+31612340001")
    await signed_in(web, sessions)
    answer = await post_form(web, f"/belwachtrij/gesprekken/{call}")
    # To the resident's card, where the call goes on and its result is recorded.
    assert answer.headers["Location"] == "/belwachtrij/inwoners/1?gedaan=bellen"
    page = await page_of(web)
    assert "Uw telefoon gaat zo over" in page  # the dialer rings the agent's phone next
    again = await post_form(web, f"/belwachtrij/gesprekken/{call}")
    assert again.headers["Location"] == "/belwachtrij?melding=al-opgepakt"
    notice = await (await web.get(again.headers["Location"])).text()
    assert "Dit gesprek is al door een collega opgepakt." in notice
    [taken] = await audits(sessions, "call_taken")
    assert taken.detail == {"attempt": call}


async def test_taking_a_call_runs_the_dispatcher_now(sessions, db_url, aiohttp_client):
    settings = Settings(_env_file=None, database_url=db_url, public_url=PUBLIC)
    app = app_for(settings, sessions, Clock(MONDAY), SECRET)
    asked: list[str] = []
    app[DISPATCH_SOON] = lambda: asked.append("dispatch")  # what the scheduler would be told
    web = await aiohttp_client(app)
    call = await resident(sessions, "1", "Anna", "+31612340001")
    await signed_in(web, sessions)
    await post_form(web, f"/belwachtrij/gesprekken/{call}")
    assert asked == ["dispatch"]


async def test_running_a_job_soon_moves_its_next_run_to_now():
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(lambda: None, IntervalTrigger(hours=1), id="dispatch")
    scheduler.start(paused=True)  # nothing runs: the test reads when it would
    try:
        before = scheduler.get_job("dispatch").next_run_time
        run_soon(scheduler, "dispatch")
        moved = scheduler.get_job("dispatch").next_run_time
        assert moved < before and moved <= datetime.now(UTC)
    finally:
        scheduler.shutdown(wait=False)


async def test_a_coordinator_sees_the_queue_but_takes_no_calls(web, sessions):
    call = await resident(sessions, "1", "Anna", "+31612340001")
    await signed_in(web, sessions, "c@gemeente.example", Role.COORDINATOR)
    page = await page_of(web)
    assert "Anna" in page and "Bel Anna" not in page
    assert (await post_form(web, f"/belwachtrij/gesprekken/{call}")).status == 403


async def test_a_reply_nobody_could_read_waits_for_an_agents_decision(web, sessions):
    await resident(sessions, "1", "Anna", "+31612340001")
    await signed_in(web, sessions)
    await sms(web, "ik werk nu 2 dagen bij de kringloop", "+31612340001", "SM" + "3" * 32)
    page = await page_of(web)
    assert "ik werk nu 2 dagen bij de kringloop" in page
    assert ">Actief geworden</button>" in page  # the team's words for the outcomes
    async with sessions() as session:
        message_id = await session.scalar(sa.select(SmsMessage.id).where(SmsMessage.needs_review))
    answer = await post_form(web, f"/belwachtrij/antwoorden/{message_id}", {"keuze": "1"})
    assert answer.headers["Location"] == "/belwachtrij"
    async with sessions() as session:
        outcome = await session.scalar(sa.select(Outcome))
        message = await session.get(SmsMessage, message_id)
    assert (outcome.category, outcome.source) == (OutcomeCategory.ACTIVE, OutcomeSource.AGENT)
    assert outcome.recorded_by_id == message.reviewed_by_id is not None
    page = await page_of(web)
    assert "kringloop" not in page and "Anna" not in page  # read, and the follow-up closed
    twice = await post_form(web, f"/belwachtrij/antwoorden/{message_id}", {"keuze": "gelezen"})
    assert "melding=" in twice.headers["Location"]
    [reviewed] = await audits(sessions, "reply_reviewed")
    assert reviewed.detail == {"message": message_id, "decision": "outcome"}


async def test_a_reply_from_a_shared_number_can_only_be_read(web, sessions):
    await resident(sessions, "1", "Anna", "+31612340001")
    await resident(sessions, "2", "Bram", "+31612340001")  # one household phone
    await signed_in(web, sessions)
    await sms(web, "wie is dit?", "+31699999999", "SM" + "4" * 32)  # nobody's: not queued
    await sms(web, "wie van ons?", "+31612340001", "SM" + "6" * 32)
    page = await page_of(web)
    assert "wie is dit?" not in page
    assert "Onbekend nummer of nummer van meer inwoners" in page and "wie van ons?" in page
    assert 'name="keuze" value="1"' not in page
    async with sessions() as session:
        message_id = await session.scalar(sa.select(SmsMessage.id).where(SmsMessage.needs_review))
    path = f"/belwachtrij/antwoorden/{message_id}"
    refused = await post_form(web, path, {"keuze": "1"}, allow_redirects=True)
    assert refused.status == 200 and "hoort bij meer inwoners" in await refused.text()
    unknown = await post_form(web, path, {"keuze": "misschien"})
    assert unknown.status == 400
    await post_form(web, path, {"keuze": "gelezen"})
    assert "wie van ons?" not in await page_of(web)


async def test_a_form_from_another_site_is_refused(web, sessions):
    call = await resident(sessions, "1", "Anna", "+31612340001")
    await signed_in(web, sessions)
    answer = await post_form(
        web, f"/belwachtrij/gesprekken/{call}", headers={"Origin": "https://evil.example"}
    )
    assert answer.status == 403
    async with sessions() as session:
        assert await session.scalar(sa.select(Attempt.agent_id).where(Attempt.id == call)) is None


async def test_an_open_page_gets_every_change_live(web, sessions):
    call = await resident(sessions, "1", "Anna", "+31612340001")
    await signed_in(web, sessions)
    await post_form(web, f"/belwachtrij/gesprekken/{call}")
    async with web.get("/belwachtrij/live") as stream:
        assert stream.headers["Content-Type"] == "text/event-stream"
        assert "Uw telefoon gaat zo over" in await read_event(stream)
        # The resident answers the agent's call: the carrier reports their leg.
        async with sessions() as session, session.begin():
            await session.execute(
                sa.update(Attempt)
                .where(Attempt.id == call)
                .values(state=AttemptState.SENT, carrier_sid="CA" + "1" * 32)
            )
        params = {"CallSid": "CA" + "1" * 32, "CallStatus": "in-progress"}
        path = f"/webhooks/twilio/call-status?attempt={call}&leg=client"
        answered = await web.post(
            path,
            data=params,
            headers={"X-Twilio-Signature": signature(SIM_AUTH_TOKEN, PUBLIC + path, params)},
        )
        assert answered.status == 200
        assert "In gesprek met de inwoner" in await read_event(stream)
        # A reply to read arrives while the page is open.
        await sms(web, "ik ben verhuisd", "+31612340001", "SM" + "5" * 32)
        assert "ik ben verhuisd" in await read_event(stream)
    # One audit for each time the page showed something new: three, not one a second.
    assert len(await audits(sessions, "queue_viewed")) == 3


async def test_an_open_page_of_a_user_disabled_since_gets_nothing_new(web, sessions):
    await resident(sessions, "1", "Anna", "+31612340001")
    await signed_in(web, sessions)
    async with web.get("/belwachtrij/live") as stream:
        assert "Anna" in await read_event(stream)
        async with sessions() as session, session.begin():
            await session.execute(sa.update(User).values(disabled_at=NOW))
        await sms(web, "ik ben verhuisd", "+31612340001", "SM" + "7" * 32)
        rest = await asyncio.wait_for(stream.content.read(), 10)  # the stream ends
    assert b"verhuisd" not in rest


async def test_a_quiet_page_hears_from_the_server_and_is_never_cached(web, sessions, monkeypatch):
    monkeypatch.setattr(live_pages, "KEEP_ALIVE", 0.2)
    await signed_in(web, sessions)
    async with web.get("/belwachtrij/live") as stream:
        assert stream.headers["Cache-Control"] == "no-store"  # residents' data
        await read_event(stream)
        # Nothing changes: a comment line keeps proxies waiting and finds a closed page.
        line = await asyncio.wait_for(stream.content.readline(), 10)
        assert line.startswith(b":")
