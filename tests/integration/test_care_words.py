"""The care words, on SQLite and PostgreSQL: a coordinator keeps them on `/zorgwoorden` (an
empty list is refused with a Dutch message and nothing changes), and a resident's SMS that
holds one is flagged at the top of the replies to read and not answered automatically, while
a recognised reply keeps its effect and confirmation."""

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from followup.rules.care_words import CARE_WORD, DEFAULT_CARE_WORDS
from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import AuditAction, OutcomeCategory, Role
from followup.services.care_words import load_care_words
from followup.services.replies import InboundSms, receive_sms
from followup.services.users import add_user
from followup.settings import SIM_FROM, Settings
from followup.store.agent_queue import replies_to_read
from followup.store.staff_tables import AuditRecord
from followup.store.tables import Outcome, SmsMessage
from tests.support.rows import NOW, add_resident
from tests.support.staff import post_form, sign_in
from tests.support.webhooks import Clock, app_for

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
CALENDAR = ContactCalendar(ZoneInfo("Europe/Amsterdam"))
PUBLIC = "http://nabellen.gemeente.example"
PASSWORD = "een lang wachtwoord"


async def browser(sessions, db_url, aiohttp_client, email: str, role: Role):
    await add_user(sessions, email=email, role=role, password=PASSWORD, now=NOW, actor="test")
    settings = Settings(_env_file=None, database_url=db_url, public_url=PUBLIC)
    web = await aiohttp_client(app_for(settings, sessions, Clock(MONDAY), "k" * 43))
    assert (await sign_in(web, email, PASSWORD)).status == 303
    return web


async def changes(sessions) -> int:
    async with sessions() as session:
        return await session.scalar(
            sa.select(sa.func.count()).where(AuditRecord.action == AuditAction.CARE_WORDS_CHANGED)
        )


async def test_a_coordinator_keeps_the_words_and_an_empty_list_changes_nothing(
    sessions, db_url, aiohttp_client
):
    web = await browser(sessions, db_url, aiohttp_client, "c@gemeente.example", Role.COORDINATOR)
    page = await (await web.get("/zorgwoorden")).text()
    assert "huisuitzetting" in page
    answer = await post_form(web, "/zorgwoorden", {"woorden": " \n \n"})
    assert answer.status == 400
    assert "De lijst is leeg" in await answer.text()
    assert await load_care_words(sessions) == DEFAULT_CARE_WORDS
    assert await changes(sessions) == 0
    answer = await post_form(web, "/zorgwoorden", {"woorden": "Schulden\nniet meer leven"})
    assert (answer.status, answer.headers["Location"]) == (303, "/zorgwoorden?opgeslagen=1")
    assert await load_care_words(sessions) == ("schulden", "niet meer leven")
    assert await changes(sessions) == 1
    assert "De woorden zijn opgeslagen" in await (await web.get("/zorgwoorden?opgeslagen=1")).text()


async def test_agents_may_not_change_the_words(sessions, db_url, aiohttp_client):
    web = await browser(sessions, db_url, aiohttp_client, "a@gemeente.example", Role.AGENT)
    assert (await web.get("/zorgwoorden", allow_redirects=False)).status == 403
    answer = await post_form(web, "/zorgwoorden", {"woorden": "schulden"})
    assert answer.status == 403
    assert await load_care_words(sessions) == DEFAULT_CARE_WORDS


async def test_a_reply_with_a_care_word_is_flagged_first_and_not_answered(sessions):
    follow_up_id = await add_resident(sessions, "1", "+31612345678")
    await add_resident(sessions, "2", "+31612345679")
    sms = InboundSms("SM-1", "+31612345679", SIM_FROM, "wie is dit?")
    # An ordinary reply: answered.
    assert await receive_sms(sessions, sms, NOW, CALENDAR) is not None
    sms = InboundSms("SM-2", "+31612345678", SIM_FROM, "Ik kan de HUISUITZETTING niet aan")
    assert await receive_sms(sessions, sms, NOW, CALENDAR) is None
    async with sessions() as session:
        kept = await session.scalar(sa.select(SmsMessage).where(SmsMessage.carrier_sid == "SM-2"))
        to_read = await replies_to_read(session)
        outcome = await session.scalar(
            sa.select(Outcome.id).where(Outcome.follow_up_id == follow_up_id)
        )
    assert (kept.interpretation, kept.needs_review, outcome) == (CARE_WORD, True, None)
    assert [(r.body, r.care_word) for r in to_read] == [
        ("Ik kan de HUISUITZETTING niet aan", True),
        ("wie is dit?", False),
    ]
    # A recognised reply keeps its effect and confirmation (CONTRACT section 5).
    assert await receive_sms(
        sessions, InboundSms("SM-3", "+31612345678", SIM_FROM, "1"), NOW, CALENDAR
    )
    async with sessions() as session:
        category = await session.scalar(
            sa.select(Outcome.category).where(Outcome.follow_up_id == follow_up_id)
        )
    assert category is OutcomeCategory.ACTIVE


async def test_a_care_word_from_a_number_we_do_not_know_is_read_by_a_person(sessions):
    """Someone may text from a new phone: no automatic 'we do not know this number'."""
    sms = InboundSms("SM-9", "+31687654321", SIM_FROM, "ik wil niet meer leven")
    assert await receive_sms(sessions, sms, NOW, CALENDAR) is None
    async with sessions() as session:
        to_read = await replies_to_read(session)
    assert [(r.client_id, r.body, r.care_word) for r in to_read] == [
        (None, "ik wil niet meer leven", True)
    ]
    ordinary = InboundSms("SM-10", "+31687654322", SIM_FROM, "wie is dit?")
    assert await receive_sms(sessions, ordinary, NOW, CALENDAR) is not None  # still told who we are
