"""Status callbacks as the carrier sends them, signed with the `twilio` library's own code:
recorded exactly once, never moving an attempt backwards, refused when not signed."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from followup.rules.carrier_errors import Failure, Rejected
from followup.rules.client_messages import Sender
from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import (
    AttemptState,
    Channel,
    ContactStatus,
    FollowUpState,
    OptOutSource,
    OutcomeCategory,
    UnreachableReason,
)
from followup.rules.planning_rules import PlanningRules
from followup.rules.response_links import ResponseLinks
from followup.services.attempt_failures import Recovery
from followup.services.dispatch import record_results
from followup.services.outreach import Outreach
from followup.services.ports import Outbound
from followup.settings import SIM_AUTH_TOKEN, SIM_FROM, Settings
from followup.store.staff_tables import User
from followup.store.tables import Attempt, CarrierEvent, FollowUp, OptOut, Outcome
from tests.support.rows import NOW, add_attempt, add_client, add_follow_up, add_phone
from tests.support.webhooks import Clock, app_for, signature

ZONE = ZoneInfo("Europe/Amsterdam")
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZONE)
# The public address the carrier calls: a TLS proxy in front, another host than the test's.
PUBLIC = "https://nabellen.gemeente.example"
SMS_STATUS = "/webhooks/twilio/sms-status"
CALL_STATUS = "/webhooks/twilio/call-status"
SID = "SM" + "a" * 32


@pytest.fixture
async def client(sessions, db_url, aiohttp_client):
    settings = Settings(_env_file=None, database_url=db_url, public_url=PUBLIC)
    return await aiohttp_client(app_for(settings, sessions, Clock(MONDAY)))


@pytest.fixture
async def attempt(sessions) -> Attempt:
    async with sessions() as session, session.begin():
        client_id, conversation_id = await add_client(session)
        follow_up = await add_follow_up(
            session, client_id, conversation_id, round_number=1, opened_at=NOW
        )
        number = await add_phone(session, client_id, "+31612345678")
        return await add_attempt(
            session,
            follow_up.id,
            carrier_sid=SID,
            carrier_status="queued",
            phone_number_id=number.id,
            to_address=number.e164,
        )


def message_status(status: str, sid: str = SID, **extra: str) -> dict[str, str]:
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": "AC" + "5" * 32,
        "From": SIM_FROM,
        "To": "+31612345678",
        "MessageStatus": status,
        "SmsStatus": status,
        "ApiVersion": "2010-04-01",
        **extra,
    }


async def post(client, path: str, params: dict[str, str], *, token: str = SIM_AUTH_TOKEN):
    return await client.post(
        path, data=params, headers={"X-Twilio-Signature": signature(token, PUBLIC + path, params)}
    )


async def reload(sessions, attempt_id: int) -> Attempt:
    async with sessions() as session:
        return await session.get(Attempt, attempt_id)


async def events(sessions) -> list[tuple]:
    async with sessions() as session:
        rows = await session.execute(
            sa.select(CarrierEvent.sid, CarrierEvent.status, CarrierEvent.attempt_id).order_by(
                CarrierEvent.id
            )
        )
        return [tuple(r) for r in rows]


async def test_delivered_is_applied_once_and_never_undone(client, sessions, attempt):
    path = f"{SMS_STATUS}?attempt={attempt.id}"
    for status in ("sent", "delivered", "sent", "delivered", "queued"):
        response = await post(client, path, message_status(status))
        assert response.status == 200
    found = await reload(sessions, attempt.id)
    assert (found.state, found.carrier_status) == (AttemptState.DELIVERED, "delivered")
    assert found.finished_at is not None
    assert await events(sessions) == [
        (SID, "sent", attempt.id),
        (SID, "delivered", attempt.id),
        (SID, "queued", attempt.id),
    ]


async def test_a_late_sent_after_delivered_changes_nothing(client, sessions, attempt):
    path = f"{SMS_STATUS}?attempt={attempt.id}"
    await post(client, path, message_status("delivered"))
    await post(client, path, message_status("sent"))
    found = await reload(sessions, attempt.id)
    assert (found.state, found.carrier_status) == (AttemptState.DELIVERED, "delivered")


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}],
    ids=["missing", "forged"],
)
async def test_an_unsigned_callback_is_refused_and_stores_nothing(
    client, sessions, attempt, headers
):
    response = await client.post(
        f"{SMS_STATUS}?attempt={attempt.id}", data=message_status("delivered"), headers=headers
    )
    assert response.status == 403
    assert await events(sessions) == []
    assert (await reload(sessions, attempt.id)).state is AttemptState.SENT


async def test_a_signature_over_another_url_or_token_is_refused(client, sessions, attempt):
    params = message_status("delivered")
    other_attempt = signature(SIM_AUTH_TOKEN, f"{PUBLIC}{SMS_STATUS}?attempt=999", params)
    response = await client.post(
        f"{SMS_STATUS}?attempt={attempt.id}",
        data=params,
        headers={"X-Twilio-Signature": other_attempt},
    )
    assert response.status == 403
    response = await post(client, f"{SMS_STATUS}?attempt={attempt.id}", params, token="wrong")
    assert response.status == 403
    assert await events(sessions) == []


async def test_a_callback_for_an_unknown_sid_is_kept_as_an_orphan(client, sessions, attempt):
    other = "SM" + "b" * 32
    assert (await post(client, SMS_STATUS, message_status("delivered", other))).status == 200
    # The URL names our attempt, but the SID is not its SID: an orphan too.
    path = f"{SMS_STATUS}?attempt={attempt.id}"
    assert (await post(client, path, message_status("sent", other))).status == 200
    assert await events(sessions) == [(other, "delivered", None), (other, "sent", None)]
    assert (await reload(sessions, attempt.id)).state is AttemptState.SENT


@pytest.mark.parametrize(
    ("params", "query"),
    [
        ({"MessageStatus": "sent"}, ""),
        ({"MessageSid": SID}, ""),
        ({"MessageSid": SID, "MessageStatus": "sent", "ErrorCode": "abc"}, ""),
        ({"MessageSid": "S" * 65, "MessageStatus": "sent"}, ""),
        ({"MessageSid": SID, "MessageStatus": "sent"}, "?attempt=x"),
        # Longer than the event and the attempt can hold: 400, not a failed insert's 500.
        ({"MessageSid": SID, "MessageStatus": "s" * 33}, ""),
        ({"CallSid": SID, "CallStatus": "c" * 64}, "call"),
        ({"CallSid": SID, "CallStatus": "completed", "AnsweredBy": "h" * 33}, "call"),
        ({"MessageSid": SID, "MessageStatus": "İ" * 20}, ""),  # 40 characters in lower case
    ],
    ids=[
        "no-sid",
        "no-status",
        "bad-error-code",
        "long-sid",
        "bad-attempt",
        "long-message-status",
        "long-call-status",
        "long-answered-by",
        "longer-once-lowered",
    ],
)
async def test_malformed_callbacks_get_400_and_store_nothing(client, sessions, params, query):
    path = CALL_STATUS if query == "call" else SMS_STATUS + query
    response = await post(client, path, params)
    assert response.status == 400
    assert "Traceback" not in await response.text()
    assert await events(sessions) == []


async def test_a_body_that_is_not_a_form_gets_400(client, sessions):
    response = await client.post(
        SMS_STATUS, data=b'{"MessageSid": 1}', headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    assert await events(sessions) == []


async def test_a_callback_for_an_attempt_still_sending_settles_it(client, sessions, attempt):
    """The worker died after the carrier took the message: the callback tells the SID."""
    async with sessions() as session, session.begin():
        await session.execute(
            sa.update(Attempt).values(state=AttemptState.SENDING, carrier_sid=None)
        )
    await post(client, f"{SMS_STATUS}?attempt={attempt.id}", message_status("sent"))
    found = await reload(sessions, attempt.id)
    assert (found.state, found.carrier_sid) == (AttemptState.SENT, SID)


async def test_an_agent_who_does_not_answer_puts_the_call_back_in_the_queue(
    client, sessions, attempt
):
    leg = "CA" + "c" * 32
    async with sessions() as session, session.begin():
        agent = User(
            email="a@x.nl", password_hash="-", role="agent", phone="+31611111111", created_at=NOW
        )
        session.add(agent)
        await session.flush()
        await session.execute(
            sa.update(Attempt).values(
                channel=Channel.CALL, carrier_sid=None, agent_leg_sid=leg, agent_id=agent.id
            )
        )
    params = {"CallSid": leg, "CallStatus": "no-answer", "AccountSid": "AC", "From": SIM_FROM}
    response = await post(client, f"{CALL_STATUS}?attempt={attempt.id}&leg=agent", params)
    assert response.status == 200
    async with sessions() as session:
        calls = list(await session.scalars(sa.select(Attempt).order_by(Attempt.id)))
    assert [(a.state, a.agent_id, a.replaces_id) for a in calls] == [
        (AttemptState.FAILED, calls[0].agent_id, None),
        (AttemptState.QUEUED, None, calls[0].id),
    ]
    assert calls[1].tries == 0  # the resident was never dialled: not a try of theirs


async def test_a_carrier_opt_out_is_an_opt_out_not_a_wrong_number(sessions, attempt):
    """Error 21610: the resident texted STOP to our number at the carrier."""
    async with sessions() as session, session.begin():
        await session.execute(
            sa.update(Attempt).values(state=AttemptState.SENDING, carrier_sid=None)
        )
        client_id = await session.scalar(sa.select(FollowUp.client_id))
    outreach = Outreach(
        Sender("het belteam", "097 010000001"),
        SIM_FROM,
        Recovery(PlanningRules(), ContactCalendar(ZONE)),
        ResponseLinks(PUBLIC, "secret"),
    )
    outbound = Outbound(attempt.id, client_id, Channel.SMS, attempt.purpose, "+31612345678")
    rejected = Rejected(Failure.OPTED_OUT, 21610, "HTTP 400, fout 21610")
    await record_results(sessions, [(outbound, rejected)], now=MONDAY, outreach=outreach)
    async with sessions() as session:
        opt_out = await session.scalar(sa.select(OptOut))
        follow_up = await session.scalar(sa.select(FollowUp))
        outcome = await session.scalar(sa.select(Outcome))
        number_status = await session.scalar(sa.text("SELECT status FROM phone_numbers"))
    assert opt_out.source is OptOutSource.CARRIER and opt_out.lifted_at is None
    assert follow_up.state is FollowUpState.CLOSED
    assert (outcome.category, outcome.reason) == (
        OutcomeCategory.UNREACHABLE,
        UnreachableReason.OPTED_OUT,
    )
    assert number_status == ContactStatus.VALID.value
