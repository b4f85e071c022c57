"""The demo started on a Saturday night: work waits for an agent, a year of past looks like the
municipality's, a second start adds nothing, and its sign-in shows in the demo only."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from followup.app import create_app
from followup.dialing import outreach_for
from followup.rules.contact_calendar import contact_calendar
from followup.rules.domain import (
    Channel,
    FollowUpState,
    OutcomeCategory,
    OutcomeSource,
    Role,
    UnreachableReason,
)
from followup.rules.passwords import verify_password
from followup.rules.planning_rules import PlanningRules
from followup.services.agent_queue import agent_queue
from followup.services.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo_data
from followup.settings import Settings
from followup.store.staff_tables import User
from followup.store.tables import Attempt, Client, FollowUp, Outcome, SmsMessage
from followup.store.users import user_by_email

SECRET = "a-test-secret-key-that-signs-response-links"
SATURDAY_NIGHT = datetime(2026, 11, 28, 23, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))
NOW = SATURDAY_NIGHT.astimezone(UTC)
# The first follow-up of 129 self-starters (DOMAIN.md).
MUNICIPALITY_2016 = {
    OutcomeCategory.ACTIVE: 17,
    OutcomeCategory.WITH_WIJ: 7,
    OutcomeCategory.IN_PROGRESS: 11,
    OutcomeCategory.NOT_ACTIVE: 24,
    OutcomeCategory.UNREACHABLE: 70,
}


async def start_demo(sessions, folder):
    settings = Settings(_env_file=None)
    calendar = contact_calendar(settings.zone, demo=True)
    return await load_demo_data(
        sessions,
        folder,
        today=SATURDAY_NIGHT.date(),
        now=NOW,
        outreach=outreach_for(settings, PlanningRules(), SECRET, calendar),
    )


async def scalar(sessions, query):
    async with sessions() as session:
        return await session.scalar(query)


async def test_on_a_saturday_night_an_agent_finds_work_waiting(sessions, tmp_path):
    assert await start_demo(sessions, tmp_path) is not None

    async with sessions() as session:
        agent = await user_by_email(session, DEMO_ACCOUNTS[0].email)
    assert agent.user.role is Role.AGENT and agent.user.phone == "+31687654321"
    assert verify_password(DEMO_PASSWORD, agent.password_hash)
    queue = await agent_queue(sessions, agent.user, NOW)

    asked = [call for call in queue.waiting if call.callback_requested_at is not None]
    assert len(asked) == 6
    assert queue.waiting[: len(asked)] == asked  # who texted BEL comes first
    due = queue.waiting[len(asked) :]
    assert len(due) >= 20
    assert all(call.due_at <= NOW for call in due)
    assert {reply.body for reply in queue.replies} >= {"Wie is dit?", "ok"}
    assert all(reply.client_id is not None for reply in queue.replies)


async def test_the_demo_has_a_year_like_the_municipalitys_and_loads_once(sessions, tmp_path):
    await start_demo(sessions, tmp_path)

    async with sessions() as session:
        rows = await session.execute(
            sa.select(Outcome.category, sa.func.count()).group_by(Outcome.category)
        )
        closed = dict(rows.all())
        reasons = set(await session.scalars(sa.select(Outcome.reason).distinct()))
        sources = set(await session.scalars(sa.select(Outcome.source).distinct()))
        opened = set(await session.scalars(sa.select(FollowUp.opened_at)))
        agents = set(
            await session.scalars(
                sa.select(Outcome.recorded_by_id).where(Outcome.source == OutcomeSource.AGENT)
            )
        )
        calls = (
            await session.execute(
                sa.select(Attempt.carrier_status, Attempt.sent_at).where(
                    Attempt.channel == Channel.CALL, Attempt.sent_at.is_not(None)
                )
            )
        ).all()
        closed_in_round_two = await session.scalar(
            sa.select(sa.func.count()).where(
                FollowUp.state == FollowUpState.CLOSED, FollowUp.round_number == 2
            )
        )
        sent_at = list(
            await session.scalars(sa.select(Attempt.sent_at).where(Attempt.sent_at.is_not(None)))
        )
        in_round_two = await session.scalar(
            sa.select(sa.func.count()).where(
                FollowUp.state == FollowUpState.OPEN, FollowUp.round_number == 2
            )
        )
    total = sum(closed.values())
    for category, people in MUNICIPALITY_2016.items():
        assert closed[category] / total == pytest.approx(people / 129, abs=0.03), category
    assert set(closed) == set(OutcomeCategory)
    assert {UnreachableReason.INVALID_NUMBER, UnreachableReason.OPTED_OUT} <= reasons
    assert {source.value for source in sources} >= {"sms", "email_link", "agent", "planner"}
    local = SATURDAY_NIGHT.tzinfo
    assert len({m.astimezone(local).strftime("%Y-%m") for m in opened}) >= 10
    assert in_round_two > 0 and closed_in_round_two > 0
    assert len(agents) >= 3  # "per agent" has rows
    # Calls the carrier ended answered and not, on every working day and at many hours.
    assert {status for status, _ in calls} >= {"completed", "no-answer", "busy"}
    assert {sent.astimezone(local).weekday() for _, sent in calls} == {0, 1, 2, 3, 4}
    assert len({sent.astimezone(local).hour for _, sent in calls}) >= 8
    # The weekly passes of the past ran at half past eleven at night (half past midnight in
    # summer time), and their messages still went out.
    at_night = [m for m in sent_at if m.astimezone(SATURDAY_NIGHT.tzinfo).hour in (23, 0)]
    assert len(at_night) > 1000

    counted = [
        sa.select(sa.func.count()).select_from(table)
        for table in (Client, User, FollowUp, Attempt, Outcome, SmsMessage)
    ]
    before = [await scalar(sessions, query) for query in counted]
    assert await start_demo(sessions, tmp_path) is None
    assert [await scalar(sessions, query) for query in counted] == before


@pytest.mark.parametrize("demo", [True, False], ids=["demo", "normal"])
async def test_the_demo_sign_in_and_round_the_clock_hours_show_in_the_demo_only(
    db_url, aiohttp_client, demo
):
    settings = Settings(_env_file=None, database_url=db_url)
    client = await aiohttp_client(create_app(settings, secret_key=SECRET, demo=demo, jobs=False))
    page = await (await client.get("/")).text()

    assert ("Inloggen in de demo" in page) is demo
    assert (DEMO_PASSWORD in page) is demo
    assert all((account.email in page) is demo for account in DEMO_ACCOUNTS)
    assert ("dag en nacht" in page) is demo
    assert ("maandag tot en met zaterdag van 9.00 tot 20.00 uur" in page) is not demo
