"""Announced calls, on SQLite and PostgreSQL: the opening message says when the first call
comes and from which number, that call keeps to it (learned call times included), and a
resident who answers OCHTEND, MIDDAG or AVOND, by SMS or on the response page, is called
then from that moment on, without the ladder stopping."""

from datetime import UTC, date, datetime, timedelta
from random import Random
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from followup.app import create_app
from followup.dialing import outreach_for
from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import AttemptPurpose, AttemptState, Channel
from followup.rules.planning_rules import PlanningRules, WindowSpec
from followup.rules.response_links import ResponseLinks
from followup.rules.sms_replies import READ_BY_AGENT
from followup.rules.targeting import Target
from followup.services.dispatch import claim_due
from followup.services.import_clients import import_clients
from followup.services.planning import run_planning_pass
from followup.services.planning_settings import save_rules
from followup.services.replies import InboundSms, receive_sms
from followup.settings import SIM_FROM, Settings
from followup.store.dispatch_queries import lock_due
from followup.store.tables import Attempt, CallAnswerCount, Client, FollowUp
from tests.support.files import row, write_csv

ZONE = ZoneInfo("Europe/Amsterdam")
CALENDAR = ContactCalendar(ZONE)
MONDAY = datetime(2026, 3, 2, 10, tzinfo=ZONE)  # the residents below are due the day before
TUESDAY = date(2026, 3, 3)
SECRET = "a-test-secret-key-that-signs-response-links"


async def residents(sessions, tmp_path, count: int = 1) -> None:
    """Residents with a mobile number: an opening SMS, then a call the next working day."""
    rows = [
        row(f"K{i}", wijk="Noord", phone=f"06-12{i:06d}", date="2025-12-01") for i in range(count)
    ]
    await import_clients(
        sessions,
        write_csv(tmp_path / "clients.csv", rows),
        today=date(2026, 3, 1),
        now=datetime(2026, 3, 1, tzinfo=UTC),
        actor="test",
    )


async def plan(sessions, now: datetime, **rules) -> None:
    await run_planning_pass(
        sessions, now=now, rules=PlanningRules(**rules), calendar=CALENDAR, rng=Random(3)
    )


async def attempts(sessions, purpose: AttemptPurpose) -> list[Attempt]:
    async with sessions() as session:
        rows = await session.scalars(
            sa.select(Attempt).where(Attempt.purpose == purpose).order_by(Attempt.follow_up_id)
        )
        return list(rows)


async def openings_sent(sessions) -> None:
    async with sessions() as session, session.begin():
        await session.execute(
            sa.update(Attempt)
            .where(Attempt.purpose == AttemptPurpose.OPENING)
            .values(state=AttemptState.DELIVERED, finished_at=MONDAY)
        )


def local(moment: datetime) -> tuple[date, str]:
    moment = moment.astimezone(ZONE)
    return moment.date(), f"{moment:%H:%M}"


async def test_the_opening_announces_the_first_call_and_the_call_keeps_to_it(sessions, tmp_path):
    await residents(sessions, tmp_path)
    await plan(sessions, MONDAY)
    [opening] = await attempts(sessions, AttemptPurpose.OPENING)
    assert local(opening.announces_call_at) == (TUESDAY, "09:30")

    settings = Settings(_env_file=None)
    outreach = outreach_for(settings, PlanningRules(), SECRET, CALENDAR)
    async with sessions() as session:
        [due] = await lock_due(session, MONDAY + timedelta(hours=1), [Channel.SMS], 10)
    body = outreach.outbound(due, Target(Channel.SMS)).body
    assert f"Wij bellen u op dinsdag 3 maart rond 9.30 uur, vanaf {settings.team_number}." in body
    assert "Stuur OCHTEND, MIDDAG of AVOND." in body

    await openings_sent(sessions)
    await plan(sessions, MONDAY + timedelta(hours=2))
    [call] = await attempts(sessions, AttemptPurpose.CALL)
    assert call.due_at == opening.announces_call_at


async def test_with_learned_times_each_first_call_comes_when_its_opening_said(sessions, tmp_path):
    await residents(sessions, tmp_path, count=40)
    async with sessions() as session, session.begin():  # Noord answers on Tuesday at 14:00
        session.add_all(
            CallAnswerCount(
                opened_month="2026-01",
                wijk="Noord",
                weekday=1,
                hour=hour,
                calls=100,
                answered=70 if hour == 14 else 10,
            )
            for hour in range(9, 20)
        )
    await plan(sessions, MONDAY, call_times="learned")
    announced = {
        a.follow_up_id: a.announces_call_at
        for a in await attempts(sessions, AttemptPurpose.OPENING)
    }
    assert sum(local(at) == (TUESDAY, "14:00") for at in announced.values()) >= 30
    await openings_sent(sessions)
    await plan(sessions, MONDAY + timedelta(hours=2), call_times="learned")
    calls = {a.follow_up_id: a.due_at for a in await attempts(sessions, AttemptPurpose.CALL)}
    assert calls == announced


async def test_avond_by_sms_moves_the_waiting_call_and_the_ladder_goes_on(sessions, tmp_path):
    await residents(sessions, tmp_path)
    await plan(sessions, MONDAY)
    await openings_sent(sessions)
    await plan(sessions, MONDAY + timedelta(hours=2))

    sms = InboundSms("SM-avond", "+31612000000", SIM_FROM, " Avond ")
    answer = await receive_sms(sessions, sms, MONDAY + timedelta(hours=3), CALENDAR)
    assert answer == "Dank u wel. Wij bellen u voortaan in de avond, rond 18.30 uur."
    async with sessions() as session:
        assert await session.scalar(sa.select(Client.call_part)) == "evening"
    [call] = await attempts(sessions, AttemptPurpose.CALL)
    assert local(call.due_at) == (TUESDAY, "18:30")

    await plan(sessions, MONDAY + timedelta(hours=4))  # a reply would stop the ladder here
    [call] = await attempts(sessions, AttemptPurpose.CALL)
    assert call.state is AttemptState.QUEUED
    # The next call of the ladder, on Wednesday afternoon, goes in the evening too.
    async with sessions() as session, session.begin():
        await session.execute(sa.update(Attempt).values(state=AttemptState.FAILED))
    await plan(sessions, datetime(2026, 3, 3, 19, 30, tzinfo=ZONE))
    second = (await attempts(sessions, AttemptPurpose.CALL))[-1]
    assert local(second.due_at) == (date(2026, 3, 4), "18:30")


async def test_a_part_outside_the_call_window_moves_into_it_and_says_so(sessions, tmp_path):
    rules = PlanningRules(
        call_window=WindowSpec(
            days=["mon", "tue", "wed", "thu", "fri"], start="09:00", end="17:00"
        ),
        ladder=[
            {"kind": "message", "day": 0, "part": "first"},
            {"kind": "call", "day": 1, "part": "morning"},
        ],
    )
    await save_rules(sessions, rules, now=MONDAY, actor="test")
    await residents(sessions, tmp_path)
    await run_planning_pass(sessions, now=MONDAY, rules=rules, calendar=CALENDAR)
    sms = InboundSms("SM-avond", "+31612000000", SIM_FROM, "'s avonds")
    answer = await receive_sms(sessions, sms, MONDAY, CALENDAR)
    assert answer == (
        "Dank u wel. In de avond bellen wij niet. Wij bellen u voortaan zo dicht mogelijk "
        "daarbij, rond 16.30 uur."
    )


@pytest.fixture
async def page(db_url, aiohttp_client):
    settings = Settings(_env_file=None, database_url=db_url)
    app = create_app(settings, secret_key=SECRET, clock=lambda: MONDAY.astimezone(UTC), jobs=False)
    return await aiohttp_client(app)


async def follow_up_id(sessions) -> int:
    async with sessions() as session:
        return await session.scalar(sa.select(FollowUp.id))


async def test_the_response_page_offers_the_parts_of_the_day(sessions, tmp_path, page):
    await residents(sessions, tmp_path)
    await plan(sessions, MONDAY)
    link = ResponseLinks("", SECRET).url(await follow_up_id(sessions), MONDAY.date())
    text = await (await page.get(link)).text()
    assert "Wanneer kunnen wij u het best bellen?" in text
    assert f"Wij bellen u vanaf {Settings(_env_file=None).team_number}." in text
    for label in ("In de ochtend, rond 9.30 uur", "In de middag, rond 14.00 uur"):
        assert label in text

    response = await page.post(f"{link}/beltijd", data={"dagdeel": "afternoon"})
    assert response.status == 200
    assert "Wij bellen u voortaan in de middag, rond 14.00 uur." in await response.text()
    async with sessions() as session:
        assert await session.scalar(sa.select(Client.call_part)) == "afternoon"


@pytest.mark.parametrize("forged", ["night", "", "morning' OR 1=1", "x" * 5000])
async def test_a_forged_part_changes_nothing(sessions, tmp_path, page, forged):
    await residents(sessions, tmp_path)
    await plan(sessions, MONDAY)
    link = ResponseLinks("", SECRET).url(await follow_up_id(sessions), MONDAY.date())
    response = await page.post(f"{link}/beltijd", data={"dagdeel": forged})
    assert response.status == 400
    assert "Kies de ochtend, de middag of de avond." in await response.text()
    async with sessions() as session:
        assert await session.scalar(sa.select(Client.call_part)) is None


async def test_a_forged_link_cannot_choose(sessions, tmp_path, page):
    await residents(sessions, tmp_path)
    response = await page.post("/antwoord/not-a-token/beltijd", data={"dagdeel": "morning"})
    assert response.status == 404
    async with sessions() as session:
        assert await session.scalar(sa.select(Client.call_part)) is None


async def test_a_part_without_a_running_follow_up_is_read_by_an_agent(sessions, tmp_path):
    """Answered already, or opted out: no call comes, so no time is promised."""
    await residents(sessions, tmp_path)
    await plan(sessions, MONDAY)
    stop = InboundSms("SM-stop", "+31612000000", SIM_FROM, "STOP")
    await receive_sms(sessions, stop, MONDAY, CALENDAR)
    sms = InboundSms("SM-avond", "+31612000000", SIM_FROM, "AVOND")
    assert await receive_sms(sessions, sms, MONDAY, CALENDAR) == READ_BY_AGENT
    async with sessions() as session:
        assert await session.scalar(sa.select(Client.call_part)) is None


async def test_an_opening_sent_late_announces_no_call_that_has_passed(sessions, tmp_path):
    """The SMS channel was away until Tuesday 9:00, half an hour before the announced call."""
    await residents(sessions, tmp_path)
    await plan(sessions, MONDAY)
    outreach = outreach_for(Settings(_env_file=None), PlanningRules(), SECRET, CALENDAR)
    claimed = await claim_due(
        sessions,
        now=datetime(2026, 3, 3, 9, tzinfo=ZONE),
        channels=[Channel.SMS],
        limit=10,
        outreach=outreach,
    )
    [opening] = claimed.outbound
    assert "Wij bellen u op" not in opening.body
    assert "Stuur 1 als u actief bent" in opening.body
    [stored] = await attempts(sessions, AttemptPurpose.OPENING)
    assert stored.announces_call_at is None  # so the reconciler renders the same text
