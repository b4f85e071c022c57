"""Live pages over HTTP, on SQLite and PostgreSQL: one reader per process looks at the
database for every open queue page and card at once, so many open pages cost what a few
cost; an open card follows the call and the timeline and keeps its agent's lease; and a
database that is away a while neither closes the pages nor fills the log."""

import asyncio
import logging
import re
import secrets
import time
from contextlib import AsyncExitStack
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from followup.rules.domain import AttemptState, MessageDirection, Role
from followup.rules.sign_in import VALID_FOR, session_key
from followup.services.next_resident import LEASE
from followup.settings import Settings
from followup.store.sign_in_sessions import insert_session
from followup.store.staff_tables import AuditRecord
from followup.store.tables import Attempt, FollowUp, SmsMessage
from followup.store.users import insert_user
from followup.web import live_hub
from followup.web.cookies import SESSION
from tests.support.events import read_event
from tests.support.rows import (
    NOW,
    add_call_waiting,
    add_phone,
)
from tests.support.webhooks import Clock, app_for

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
PUBLIC = "http://nabellen.gemeente.example"
SECRET = "k" * 43


@pytest.fixture
def clock():
    return Clock(MONDAY)


@pytest.fixture
async def web(sessions, db_url, aiohttp_client, clock):
    settings = Settings(_env_file=None, database_url=db_url, public_url=PUBLIC)
    return await aiohttp_client(app_for(settings, sessions, clock, SECRET))


async def signed_in(sessions, clock, email: str, role: Role = Role.AGENT) -> tuple[int, dict]:
    """A user, and the header their browser sends once signed in."""
    token = secrets.token_urlsafe()
    async with sessions() as session, session.begin():
        user_id = await insert_user(
            session, email=email, role=role, password_hash="-", phone="0611112222", now=NOW
        )
        await insert_session(
            session,
            key=session_key(token),
            user_id=user_id,
            now=clock.now,
            expires_at=clock.now + VALID_FOR,
        )
    return user_id, {"Cookie": f"{SESSION}={token}"}


async def resident(sessions, ref: str) -> tuple[int, int, int]:
    """An open follow-up with a call due: (client, follow-up, call)."""
    async with sessions() as session, session.begin():
        client_id, follow_up, call = await add_call_waiting(session, ref)
        await add_phone(session, client_id, f"+316{int(ref):08d}")
        return client_id, follow_up.id, call.id


async def reply(sessions, client_id: int, body: str) -> None:
    async with sessions() as session, session.begin():
        session.add(
            SmsMessage(
                direction=MessageDirection.INBOUND,
                client_id=client_id,
                from_number="+31612345678",
                to_number="+3197010",
                body=body,
                created_at=NOW,
            )
        )


async def test_an_open_card_follows_the_call_and_the_timeline(web, sessions, clock):
    client_id, _, call = await resident(sessions, "1")
    agent_id, cookie = await signed_in(sessions, clock, "a@gemeente.example")
    async with web.get(f"/belwachtrij/inwoners/{client_id}/live", headers=cookie) as stream:
        assert "Er is nog niets gebeurd" not in await read_event(stream)
        async with sessions() as session:  # the stream shows the card: audited as an opening
            opened = await session.scalar(
                sa.select(AuditRecord).where(AuditRecord.action == "card_opened")
            )
        assert (opened.client_id, opened.detail) == (client_id, {"live": True})
        async with sessions() as session, session.begin():
            await session.execute(
                sa.update(Attempt)
                .where(Attempt.id == call)
                .values(
                    agent_id=agent_id,
                    state=AttemptState.SENT,
                    carrier_sid="CA" + "1" * 32,
                    carrier_status="ringing",
                )
            )
        assert "De telefoon van de inwoner gaat over" in await read_event(stream)
        await reply(sessions, client_id, "ik ben verhuisd")
        assert "ik ben verhuisd" in await read_event(stream)


async def test_an_open_card_keeps_its_agents_lease_until_it_is_closed(
    web, sessions, clock, monkeypatch
):
    monkeypatch.setattr(live_hub, "RENEW_EVERY", 0.0)
    client_id, follow_up_id, _ = await resident(sessions, "1")
    _, cookie = await signed_in(sessions, clock, "a@gemeente.example")
    card = f"/belwachtrij/inwoners/{client_id}"
    assert (await web.get(card, headers=cookie)).status == 200  # the opening leases

    async def lease_until():
        async with sessions() as session:
            return await session.scalar(
                sa.select(FollowUp.lease_until).where(FollowUp.id == follow_up_id)
            )

    assert await lease_until() == MONDAY + LEASE
    async with web.get(card + "/live", headers=cookie) as stream:
        await read_event(stream)
        clock.now += timedelta(minutes=4)
        for _ in range(50):
            if await lease_until() == clock.now + LEASE:
                break
            await asyncio.sleep(0.1)
        assert await lease_until() == clock.now + LEASE
    clock.now += LEASE  # closed: the lease lapses, and another agent may take the resident
    await asyncio.sleep(2 * live_hub.LOOK_EVERY)
    assert await lease_until() == MONDAY + timedelta(minutes=4) + LEASE


async def test_open_pages_cost_the_database_the_same_few_statements_however_many(
    web, sessions, clock
):
    engine = sessions.kw["bind"].sync_engine
    moments: list[float] = []

    def count(*_):
        moments.append(time.monotonic())

    sa.event.listen(engine, "before_cursor_execute", count)
    per_second, agents = {}, 0
    try:
        async with AsyncExitStack() as pages:
            for n in (2, 20):
                opened = []
                for i in range(agents, n):  # each agent has their queue and a card open
                    client_id, _, _ = await resident(sessions, str(i + 1))
                    _, cookie = await signed_in(sessions, clock, f"a{i}@gemeente.example")
                    for path in ("/belwachtrij/live", f"/belwachtrij/inwoners/{client_id}/live"):
                        opened.append(
                            await pages.enter_async_context(web.get(path, headers=cookie))
                        )
                await asyncio.gather(*map(read_event, opened))
                agents = n
                await asyncio.sleep(live_hub.LOOK_EVERY)  # the last look's writes are done
                start, seconds = len(moments), 4 * live_hub.LOOK_EVERY
                await asyncio.sleep(seconds)
                per_second[n] = (len(moments) - start) / seconds
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    # One look a second with a few queries, whether 4 pages are open or 40. A few queries
    # a page would be 40 or more a second here.
    print(f"statements a second with 4 and 40 pages open: {per_second}")
    assert per_second[2] <= 15, per_second
    assert per_second[20] <= 1.5 * per_second[2], per_second


async def test_the_database_away_a_while_keeps_the_pages_open_and_the_log_short(
    web, sessions, clock, caplog
):
    caplog.set_level(logging.INFO, logger=live_hub.__name__)
    client_id, _, _ = await resident(sessions, "1")
    _, cookie = await signed_in(sessions, clock, "a@gemeente.example")
    async with web.get(f"/belwachtrij/inwoners/{client_id}/live", headers=cookie) as stream:
        await read_event(stream)
        async with sessions() as session, session.begin():
            await session.execute(sa.text("ALTER TABLE contact_changes RENAME TO away"))
        await asyncio.sleep(3 * live_hub.LOOK_EVERY)
        [failed] = [r for r in caplog.records if r.name == live_hub.__name__]
        assert failed.levelno == logging.WARNING and "failed" in failed.getMessage()
        assert failed.exc_info is None  # no traceback, let alone one a second
        async with sessions() as session, session.begin():
            await session.execute(sa.text("ALTER TABLE away RENAME TO contact_changes"))
        await reply(sessions, client_id, "ik ben verhuisd")
        assert "ik ben verhuisd" in await read_event(stream)
    assert "works again" in caplog.records[-1].getMessage()


async def test_forms_in_a_live_fragment_carry_the_pages_own_token(web, sessions, clock):
    """The fragments are made by the process's one reader, not by the page's request: their
    forms must still carry a token that the page's browser may send."""
    await resident(sessions, "1")
    _, cookie = await signed_in(sessions, clock, "a@gemeente.example")
    page = await (await web.get("/belwachtrij", headers=cookie)).text()
    on_page = re.search(r'name="csrf" value="([^"]+)"', page)[1]
    async with web.get("/belwachtrij/live", headers=cookie) as stream:
        fragment = await read_event(stream)
    assert "/belwachtrij/gesprekken/" in fragment
    assert set(re.findall(r'name="csrf" value="([^"]*)"', fragment)) == {on_page}
