"""Residents' SMS replies as the carrier posts them, signed with the `twilio` library's own
code: each reply of CONTRACT section 5 does what it says, once, with one confirmation."""

import xml.etree.ElementTree as ET
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from followup.rules import sms_replies as texts
from followup.rules.domain import (
    AttemptPurpose,
    AttemptState,
    Channel,
    FollowUpState,
    OptOutSource,
    OutcomeCategory,
    OutcomeSource,
    UnreachableReason,
)
from followup.settings import SIM_AUTH_TOKEN, SIM_FROM, Settings
from followup.store.tables import Attempt, Client, FollowUp, OptOut, Outcome, SmsMessage
from tests.support.follow_up_facts import kept_and_worked_out
from tests.support.rows import NOW, add_resident
from tests.support.webhooks import Clock, app_for, signature

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
PUBLIC = "https://nabellen.gemeente.example"
SMS = "/webhooks/twilio/sms"
RESIDENT = "+31612345678"


@pytest.fixture
async def client(sessions, db_url, aiohttp_client):
    settings = Settings(_env_file=None, database_url=db_url, public_url=PUBLIC)
    return await aiohttp_client(app_for(settings, sessions, Clock(MONDAY)))


@pytest.fixture
async def resident(sessions) -> int:
    """A resident in round 1 with a queued reminder: the follow-up's id."""
    return await add_resident(sessions, "1", RESIDENT)


def inbound(body: str, sid: str = "SM" + "1" * 32, sender: str = RESIDENT, **extra: str):
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": "AC" + "5" * 32,
        "From": sender,
        "To": SIM_FROM,
        "Body": body,
        "NumMedia": "0",
        "ApiVersion": "2010-04-01",
        **extra,
    }


async def reply(client, params: dict[str, str], token: str = SIM_AUTH_TOKEN) -> list[str]:
    """Post the SMS; the texts of the TwiML answer's messages."""
    response = await client.post(
        SMS, data=params, headers={"X-Twilio-Signature": signature(token, PUBLIC + SMS, params)}
    )
    assert response.status == 200, await response.text()
    assert response.content_type == "text/xml"
    return [m.text for m in ET.fromstring(await response.text()).iter("Message")]


async def outcome_of(sessions, follow_up_id: int) -> tuple | None:
    async with sessions() as session:
        row = (
            await session.execute(
                sa.select(Outcome.category, Outcome.reason, Outcome.source, FollowUp.state)
                .join(FollowUp, FollowUp.id == Outcome.follow_up_id)
                .where(Outcome.follow_up_id == follow_up_id)
            )
        ).first()
        return tuple(row) if row else None


async def attempt_states(sessions, follow_up_id: int) -> list[tuple]:
    async with sessions() as session:
        rows = await session.execute(
            sa.select(Attempt.purpose, Attempt.state)
            .where(Attempt.follow_up_id == follow_up_id)
            .order_by(Attempt.id)
        )
        return [tuple(r) for r in rows]


async def messages(sessions) -> list[tuple]:
    async with sessions() as session:
        rows = await session.execute(
            sa.select(
                SmsMessage.client_id, SmsMessage.interpretation, SmsMessage.needs_review
            ).order_by(SmsMessage.id)
        )
        return [tuple(r) for r in rows]


@pytest.mark.parametrize(
    ("body", "category"),
    [
        ("1", OutcomeCategory.ACTIVE),
        ("2", OutcomeCategory.WITH_WIJ),
        (" 3 ", OutcomeCategory.IN_PROGRESS),
        ("4", OutcomeCategory.NOT_ACTIVE),
    ],
)
async def test_a_number_records_the_outcome_and_stops_the_round(
    client, sessions, resident, body, category
):
    assert await reply(client, inbound(body)) == [texts.outcome_thanks(category)]

    assert await outcome_of(sessions, resident) == (
        category,
        None,
        OutcomeSource.SMS,
        FollowUpState.CLOSED,
    )
    assert await attempt_states(sessions, resident) == [
        (AttemptPurpose.REMINDER, AttemptState.CANCELLED)
    ]
    assert await messages(sessions) == [(1, "outcome", False)]
    kept, worked_out = await kept_and_worked_out(sessions)
    assert kept == worked_out
    assert kept[resident][1:4] == (category, None, OutcomeSource.SMS)


async def test_the_same_webhook_twice_is_recorded_and_confirmed_once(client, sessions, resident):
    assert len(await reply(client, inbound("1"))) == 1
    assert await reply(client, inbound("1")) == []
    assert len(await messages(sessions)) == 1


async def test_a_second_answer_changes_nothing_and_is_read_by_an_agent(client, sessions, resident):
    await reply(client, inbound("1"))
    assert await reply(client, inbound("4", sid="SM" + "2" * 32)) == [texts.READ_BY_AGENT]
    assert (await outcome_of(sessions, resident))[0] is OutcomeCategory.ACTIVE
    assert (await messages(sessions))[-1] == (1, "outcome", True)


@pytest.mark.parametrize("word", ["STOP", "stoppen", "Afmelden"])
async def test_stop_opts_out_at_once_and_closes_the_follow_up(client, sessions, resident, word):
    assert await reply(client, inbound(word)) == [texts.OPTED_OUT]

    assert await outcome_of(sessions, resident) == (
        OutcomeCategory.UNREACHABLE,
        UnreachableReason.OPTED_OUT,
        OutcomeSource.SMS,
        FollowUpState.CLOSED,
    )
    assert await attempt_states(sessions, resident) == [
        (AttemptPurpose.REMINDER, AttemptState.CANCELLED)
    ]
    async with sessions() as session:
        opt_out = await session.scalar(sa.select(OptOut))
        message_id = await session.scalar(sa.select(SmsMessage.id))
    assert (opt_out.source, opt_out.sms_message_id, opt_out.lifted_at) == (
        OptOutSource.SMS,
        message_id,
        None,
    )


async def test_the_carriers_own_stop_is_an_opt_out_without_a_second_confirmation(
    client, sessions, resident
):
    assert await reply(client, inbound("Unsubscribe", OptOutType="STOP")) == []
    assert (await outcome_of(sessions, resident))[1] is UnreachableReason.OPTED_OUT


async def test_start_lifts_an_opt_out_made_by_sms(client, sessions, resident):
    await reply(client, inbound("STOP"))
    assert await reply(client, inbound("START", sid="SM" + "2" * 32)) == [texts.OPTED_IN]
    async with sessions() as session:
        opt_out = await session.scalar(sa.select(OptOut))
    assert opt_out.lifted_at is not None
    assert opt_out.lifted_source is OptOutSource.SMS


async def test_start_does_not_lift_an_opt_out_recorded_by_an_agent(client, sessions, resident):
    async with sessions() as session, session.begin():
        session.add(OptOut(client_id=1, source=OptOutSource.AGENT, created_at=NOW))
    assert await reply(client, inbound("START")) == [texts.STILL_OPTED_OUT]
    async with sessions() as session:
        assert await session.scalar(sa.select(OptOut.lifted_at)) is None


@pytest.mark.parametrize("word", ["BEL", "bel mij", "Bellen"])
async def test_bel_asks_for_a_call_once(client, sessions, resident, word):
    assert await reply(client, inbound(word)) == [texts.CALL_COMING]
    assert await reply(client, inbound(word, sid="SM" + "2" * 32)) == [texts.CALL_COMING]

    async with sessions() as session:
        follow_up = await session.get(FollowUp, resident)
        calls = (
            await session.execute(
                sa.select(Attempt.channel, Attempt.state, Attempt.due_at).where(
                    Attempt.purpose == AttemptPurpose.CALLBACK
                )
            )
        ).all()
    assert follow_up.state is FollowUpState.OPEN
    assert follow_up.callback_requested_at == MONDAY
    assert [tuple(c) for c in calls] == [(Channel.CALL, AttemptState.QUEUED, MONDAY)]


@pytest.mark.parametrize(
    ("word", "part", "confirmation"),
    [
        ("OCHTEND", "morning", "in de ochtend, rond 9.30 uur"),
        ("'s middags", "afternoon", "in de middag, rond 14.00 uur"),
        ("Avond", "evening", "in de avond, rond 18.30 uur"),
    ],
)
async def test_a_part_of_the_day_is_kept_and_confirmed_once(
    client, sessions, resident, word, part, confirmation
):
    expected = [f"Dank u wel. Wij bellen u voortaan {confirmation}."]
    assert await reply(client, inbound(word)) == expected
    assert await reply(client, inbound(word)) == []  # the same webhook again
    async with sessions() as session:
        follow_up = await session.get(FollowUp, resident)
        assert await session.scalar(sa.select(Client.call_part)) == part
    assert follow_up.state is FollowUpState.OPEN
    assert await outcome_of(sessions, resident) is None
    assert await messages(sessions) == [(1, "call_part", False)]


async def test_anything_else_waits_for_an_agent(client, sessions, resident):
    assert await reply(client, inbound("1 ik heb werk")) == [texts.READ_BY_AGENT]
    assert await outcome_of(sessions, resident) is None
    assert await messages(sessions) == [(1, "other", True)]


async def test_a_stranger_gets_a_polite_answer_and_nothing_changes(client, sessions, resident):
    assert await reply(client, inbound("STOP", sender="+31687654321")) == [texts.UNKNOWN_SENDER]
    assert await messages(sessions) == [(None, "opt_out", False)]
    assert await outcome_of(sessions, resident) is None
    async with sessions() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(OptOut)) == 0


async def test_a_shared_number_is_read_by_an_agent_but_stop_holds_for_all(client, sessions):
    first = await add_resident(sessions, "1", RESIDENT)
    second = await add_resident(sessions, "2", RESIDENT)

    assert await reply(client, inbound("1")) == [texts.READ_BY_AGENT]
    assert await outcome_of(sessions, first) is None
    assert await reply(client, inbound("STOP", sid="SM" + "2" * 32)) == [texts.OPTED_OUT]
    for follow_up in (first, second):
        assert (await outcome_of(sessions, follow_up))[1] is UnreachableReason.OPTED_OUT


async def test_an_unsigned_reply_is_refused_and_not_stored(client, sessions, resident):
    params = inbound("STOP")
    response = await client.post(SMS, data=params)
    assert response.status == 403
    assert await reply_with_wrong_token(client, params) == 403
    assert await messages(sessions) == []
    assert await outcome_of(sessions, resident) is None


async def reply_with_wrong_token(client, params) -> int:
    headers = {"X-Twilio-Signature": signature("not-the-token", PUBLIC + SMS, params)}
    return (await client.post(SMS, data=params, headers=headers)).status


@pytest.mark.parametrize("missing", ["MessageSid", "From"])
async def test_a_reply_without_its_sender_or_sid_is_a_bad_request(
    client, sessions, resident, missing
):
    params = inbound("1")
    del params[missing]
    headers = {"X-Twilio-Signature": signature(SIM_AUTH_TOKEN, PUBLIC + SMS, params)}
    response = await client.post(SMS, data=params, headers=headers)
    assert response.status == 400
    assert missing in await response.text()
    assert "Traceback" not in await response.text()
    assert await messages(sessions) == []


async def test_a_reply_longer_than_any_sms_is_a_bad_request(client, sessions, resident):
    params = inbound("x" * 1601)
    headers = {"X-Twilio-Signature": signature(SIM_AUTH_TOKEN, PUBLIC + SMS, params)}
    response = await client.post(SMS, data=params, headers=headers)
    assert response.status == 400
    assert "Body" in await response.text()
    assert await messages(sessions) == []
