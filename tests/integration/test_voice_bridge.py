"""The bridge asks, when the agent picks up, whether the resident may still be called: the
number comes back only while the follow-up is open, the number not proven wrong and the
resident not opted out; otherwise the attempt ends, and an attempt without a number to call
is left as it is."""

import sqlalchemy as sa

from followup.rules.domain import AttemptPurpose, AttemptState, Channel, OptOutSource
from followup.services.voice_bridge import bridge_number
from followup.store.opt_outs import record_opt_out
from followup.store.tables import Attempt
from tests.support.rows import NOW, add_attempt, add_client, add_follow_up, add_phone

NUMBER = "+31612345678"
AGENT_LEG = "CA" + "a" * 32


async def ringing_call(sessions, *, with_number: bool = True) -> tuple[int, int]:
    """(attempt id, client id) of a call whose agent's leg rings."""
    async with sessions() as session, session.begin():
        client_id, conversation_id = await add_client(session)
        follow_up = await add_follow_up(
            session, client_id, conversation_id, round_number=1, opened_at=NOW
        )
        number = await add_phone(session, client_id, NUMBER)
        attempt = await add_attempt(
            session,
            follow_up.id,
            channel=Channel.CALL,
            purpose=AttemptPurpose.CALL,
            state=AttemptState.SENT,
            agent_leg_sid=AGENT_LEG,
            phone_number_id=number.id if with_number else None,
            to_address=NUMBER,
        )
        return attempt.id, client_id


async def bridged(sessions, attempt_id: int, call_sid: str = AGENT_LEG) -> str | None:
    return await bridge_number(sessions, attempt_id=attempt_id, call_sid=call_sid, now=NOW)


async def attempt_now(sessions, attempt_id: int) -> tuple:
    async with sessions() as session:
        attempt = await session.get(Attempt, attempt_id)
        return attempt.state, attempt.error_message


async def test_a_resident_who_may_be_called_is_connected(sessions):
    attempt_id, _ = await ringing_call(sessions)
    assert await bridged(sessions, attempt_id) == NUMBER
    assert await attempt_now(sessions, attempt_id) == (AttemptState.SENT, None)


async def test_a_resident_who_opted_out_meanwhile_is_not_called(sessions):
    attempt_id, client_id = await ringing_call(sessions)
    async with sessions() as session, session.begin():
        await record_opt_out(session, client_id, OptOutSource.SMS, NOW)
    assert await bridged(sessions, attempt_id) is None
    assert await attempt_now(sessions, attempt_id) == (AttemptState.FAILED, "niet meer te bellen")


async def test_another_call_of_the_agent_gets_nothing(sessions):
    attempt_id, _ = await ringing_call(sessions)
    assert await bridged(sessions, attempt_id, "CA" + "b" * 32) is None  # a forged or old SID
    assert await attempt_now(sessions, attempt_id) == (AttemptState.SENT, None)


async def test_an_attempt_without_a_number_is_left_as_it_is(sessions):
    attempt_id, _ = await ringing_call(sessions, with_number=False)
    assert await bridged(sessions, attempt_id) is None
    assert await attempt_now(sessions, attempt_id) == (AttemptState.SENT, None)
    async with sessions() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(Attempt)) == 1
