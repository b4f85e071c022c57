"""The care signal on the pages, on SQLite and PostgreSQL: an agent marks it on the card with
a colleague and a deadline (two working days by default), the colleague sees it in their
queue (overdue visibly) and records the hand-off to the WIJ-team. Forms carry the CSRF
token; a second click is harmless and says so; a wrong form changes nothing."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from followup.rules.domain import AttemptState, AuditAction, OutcomeCategory, Role
from followup.services.users import add_user
from followup.settings import Settings
from followup.store.staff_tables import AuditRecord
from followup.store.tables import Attempt, CareSignal, Outcome
from tests.support.rows import NOW, add_attempt, add_client, add_follow_up
from tests.support.staff import post_form, sign_in
from tests.support.webhooks import Clock, app_for

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
PUBLIC = "http://nabellen.gemeente.example"
SECRET = "k" * 43
PASSWORD = "een lang wachtwoord"


async def browser(sessions, db_url, aiohttp_client, clock, email: str, role=Role.AGENT):
    """A browser of its own, signed in as a new user: (browser, user id)."""
    user_id = await add_user(
        sessions, email=email, role=role, password=PASSWORD, now=NOW, actor="test"
    )
    settings = Settings(_env_file=None, database_url=db_url, public_url=PUBLIC)
    web = await aiohttp_client(app_for(settings, sessions, clock, SECRET))
    assert (await sign_in(web, email, PASSWORD)).status == 303
    return web, user_id


async def marked_resident(sessions) -> tuple[int, int]:
    async with sessions() as session, session.begin():
        client_id, conversation_id = await add_client(session, "1")
        follow_up = await add_follow_up(
            session, client_id, conversation_id, round_number=1, opened_at=NOW
        )
        await add_attempt(session, follow_up.id, state=AttemptState.QUEUED, sent_at=None)
    return client_id, follow_up.id


async def test_mark_then_hand_over_through_the_pages(sessions, db_url, aiohttp_client):
    clock = Clock(MONDAY)
    agent, _ = await browser(sessions, db_url, aiohttp_client, clock, "a@gemeente.example")
    colleague, colleague_id = await browser(
        sessions, db_url, aiohttp_client, clock, "zorg@gemeente.example"
    )
    client_id, follow_up_id = await marked_resident(sessions)
    card = f"/belwachtrij/inwoners/{client_id}"
    page = await (await agent.get(card)).text()
    assert "Zorgsignaal geven" in page
    assert 'value="2026-11-25"' in page  # two working days from Monday

    # No colleague chosen: the card again, with what to do, and nothing changed.
    answer = await post_form(
        agent, card + "/zorgsignaal", {"follow_up": follow_up_id, "uiterlijk": "2026-11-25"}
    )
    assert answer.status == 409
    assert "Kies de collega die de zorg" in await answer.text()
    # Without the form's token: refused.
    forged = await agent.post(
        card + "/zorgsignaal",
        data={"follow_up": follow_up_id, "collega": colleague_id, "uiterlijk": "2026-11-25"},
        allow_redirects=False,
    )
    assert forged.status == 403
    async with sessions() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(CareSignal)) == 0

    form = {"follow_up": follow_up_id, "collega": colleague_id, "uiterlijk": "2026-11-25"}
    answer = await post_form(agent, card + "/zorgsignaal", form)
    assert (answer.status, answer.headers["Location"]) == (303, card + "?gedaan=zorg")
    answer = await post_form(agent, card + "/zorgsignaal", form)
    assert answer.headers["Location"] == card + "?gedaan=al-zorg"
    page = await (await agent.get(card + "?gedaan=al-zorg")).text()
    assert "Er stond al een zorgsignaal" in page and "Deze inwoner heeft zorg nodig" in page
    assert "Overgedragen aan het WIJ-team</button>" not in page  # not the named colleague

    # The agent is not the named colleague: no hand-off.
    answer = await post_form(agent, card + "/overgedragen", {"follow_up": follow_up_id})
    assert answer.status == 409
    assert "Alleen de gekozen collega" in await answer.text()

    # The colleague's queue lists it, overdue after the deadline's day.
    queue = await (await colleague.get("/belwachtrij")).text()
    assert "Zorgsignalen voor u" in queue and "uiterlijk 25-11-2026" in queue
    assert "te laat" not in queue
    async with sessions() as session, session.begin():  # a deadline that went by
        await session.execute(sa.update(CareSignal).values(deadline=MONDAY.date() - timedelta(1)))
    assert "te laat" in await (await colleague.get("/belwachtrij")).text()
    assert "Zorgsignalen voor u" not in await (await agent.get("/belwachtrij")).text()

    answer = await post_form(colleague, card + "/overgedragen", {"follow_up": follow_up_id})
    assert answer.headers["Location"] == card + "?gedaan=overgedragen"
    answer = await post_form(colleague, card + "/overgedragen", {"follow_up": follow_up_id})
    assert answer.headers["Location"] == card + "?gedaan=al-overgedragen"
    assert "Zorgsignalen voor u" not in await (await colleague.get("/belwachtrij")).text()

    async with sessions() as session:
        attempt = await session.scalar(sa.select(Attempt))
        outcome = await session.scalar(sa.select(Outcome))
        actions = list(
            await session.scalars(
                sa.select(AuditRecord.action).where(
                    AuditRecord.action.in_([AuditAction.CARE_MARKED, AuditAction.CARE_HANDED_OVER])
                )
            )
        )
    assert (attempt.state, attempt.cancelled_reason) == (AttemptState.CANCELLED, "care")
    assert (outcome.category, outcome.recorded_by_id) == (OutcomeCategory.WITH_WIJ, colleague_id)
    assert actions == [AuditAction.CARE_MARKED, AuditAction.CARE_HANDED_OVER]


async def test_an_admin_may_not_mark(sessions, db_url, aiohttp_client):
    admin, admin_id = await browser(
        sessions, db_url, aiohttp_client, Clock(MONDAY), "b@gemeente.example", Role.ADMIN
    )
    client_id, follow_up_id = await marked_resident(sessions)
    answer = await post_form(
        admin,
        f"/belwachtrij/inwoners/{client_id}/zorgsignaal",
        {"follow_up": follow_up_id, "collega": admin_id, "uiterlijk": "2026-11-25"},
    )
    assert answer.status == 403
    async with sessions() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(CareSignal)) == 0
