"""Click-to-call through the simulated carrier: the agent's phone rings first, the bridge
webhook dials the resident, both legs report back, and each destination of CONTRACT
section 6 ends the attempt its own way."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from followup.rules.domain import (
    AttemptState,
    Channel,
    ContactStatus,
    EvidenceSource,
    OutcomeCategory,
    UnreachableReason,
)
from followup.store.staff_tables import User
from followup.store.tables import Attempt, Outcome, PhoneNumber
from tests.support.carrier import MONDAY, eventually, outbound_world
from tests.support.files import row
from tests.support.rows import NOW

TUESDAY = (MONDAY + timedelta(days=1)).replace(hour=9, minute=30)  # the ladder's first call
AGENT_PHONE = "+31611112222"


async def agent_takes_the_calls(world, phone: str = AGENT_PHONE) -> int:
    """What the agents' console will do: an agent takes the queued calls."""
    async with world.sessions() as session, session.begin():
        agent = User(
            email=f"agent{phone[-4:]}@gemeente.example",
            password_hash="-",
            role="agent",
            phone=phone,
            created_at=NOW,
        )
        session.add(agent)
        await session.flush()
        await session.execute(
            sa.update(Attempt)
            .where(Attempt.channel == Channel.CALL, Attempt.state == AttemptState.QUEUED)
            .values(agent_id=agent.id)
        )
        return agent.id


async def landline_client(world, tmp_path, phone: str) -> None:
    """A resident with a landline only: no messages, the ladder starts with a call."""
    await world.load([row("A", phone=phone)], tmp_path)
    await world.plan()
    [call] = await world.attempts("A")
    assert (call.channel, call.state) == (Channel.CALL, AttemptState.QUEUED)


async def the_call(world) -> Attempt:
    calls = [a for a in await world.attempts("A") if a.channel is Channel.CALL]
    return calls[0]


async def test_a_call_waits_for_an_agent(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        await landline_client(world, tmp_path, "050-3671234")
        assert (await world.dispatch(TUESDAY)).sent == 0
        assert await world.received("calls") == []


async def test_an_answered_call_connects_the_agent_and_ends_when_they_hang_up(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        await landline_client(world, tmp_path, "050-3671234")
        await agent_takes_the_calls(world)
        assert (await world.dispatch(TUESDAY)).sent == 1

        async def answered():
            attempt = await the_call(world)
            return attempt if attempt.state is AttemptState.ANSWERED else None

        attempt = await eventually(answered)
        assert attempt.agent_leg_sid.startswith("CA")
        assert attempt.carrier_sid.startswith("CA")  # the resident's leg
        assert attempt.carrier_status == "in-progress"
        legs = {leg["sid"]: leg for leg in await world.received("calls")}
        assert legs[attempt.agent_leg_sid]["to"] == AGENT_PHONE
        assert legs[attempt.carrier_sid]["to"] == "+31503671234"
        assert legs[attempt.carrier_sid]["parent_call_sid"] == attempt.agent_leg_sid
        # The agent hangs up the way the console does: through the carrier's REST API.
        carrier = world.dialing.dispatcher.adapters[Channel.CALL].carrier
        await carrier.client.calls(attempt.agent_leg_sid).update_async(status="completed")

        async def completed():
            found = await the_call(world)
            return found if found.carrier_status == "completed" else None

        attempt = await eventually(completed)
        assert attempt.state is AttemptState.ANSWERED
        assert attempt.duration_seconds is not None
        assert attempt.sip_response_code == 200
        assert attempt.finished_at is not None


@pytest.mark.parametrize(
    ("phone", "status", "sip"),
    [("050-3670001", "no-answer", 480), ("050-3670002", "busy", 486)],
)
async def test_no_answer_and_busy_end_the_attempt_but_not_the_number(
    db_url, tmp_path, phone, status, sip
):
    async with outbound_world(db_url, tmp_path) as world:
        await landline_client(world, tmp_path, phone)
        await agent_takes_the_calls(world)
        await world.dispatch(TUESDAY)

        async def ended():
            attempt = await the_call(world)
            return attempt if attempt.state is AttemptState.FAILED else None

        attempt = await eventually(ended)
        assert (attempt.carrier_status, attempt.sip_response_code) == (status, sip)
        async with world.sessions() as session:
            number = await session.scalar(sa.select(PhoneNumber))
        assert number.status is ContactStatus.VALID
        # No retry by the dialer: the ladder's next call comes another day.
        assert len(await world.attempts("A")) == 1


async def test_a_number_the_dial_proves_wrong_closes_a_follow_up_with_nothing_else(
    db_url, tmp_path
):
    async with outbound_world(db_url, tmp_path) as world:
        await landline_client(world, tmp_path, "050-3670000")
        await agent_takes_the_calls(world)
        await world.dispatch(TUESDAY)

        async def closed():
            async with world.sessions() as session:
                return await session.scalar(sa.select(Outcome))

        outcome = await eventually(closed)
        assert (outcome.category, outcome.reason) == (
            OutcomeCategory.UNREACHABLE,
            UnreachableReason.INVALID_NUMBER,
        )
        attempt = await the_call(world)
        assert (attempt.state, attempt.error_code) == (AttemptState.FAILED, 13224)
        async with world.sessions() as session:
            number = await session.scalar(sa.select(PhoneNumber))
        assert (number.status, number.invalid_source) == (
            ContactStatus.INVALID,
            EvidenceSource.CARRIER_ERROR,
        )


async def test_an_agent_who_does_not_pick_up_hands_the_call_back(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        await landline_client(world, tmp_path, "050-3671234")
        await agent_takes_the_calls(world, phone="+31611110001")  # rings out
        await world.dispatch(TUESDAY)

        async def handed_back():
            attempts = await world.attempts("A")
            return attempts if len(attempts) == 2 else None

        first, again = await eventually(handed_back)
        assert first.state is AttemptState.FAILED
        assert (again.state, again.agent_id, again.replaces_id) == (
            AttemptState.QUEUED,
            None,
            first.id,
        )
        # The resident's phone never rang.
        assert [leg["to"] for leg in await world.received("calls")] == ["+31611110001"]


async def test_calls_keep_to_the_call_window(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        await landline_client(world, tmp_path, "050-3671234")
        await agent_takes_the_calls(world)
        saturday = TUESDAY + timedelta(days=4)
        assert (await world.dispatch(saturday)).sent == 0  # messages yes, calls no
        assert (await world.dispatch(TUESDAY.replace(hour=20))).sent == 0
        assert await world.received("calls") == []


async def test_an_answered_call_holds_the_ladder_until_its_result_is_recorded(db_url, tmp_path):
    """The resident who just talked to us gets no next step (call, SMS, e-mail) before the
    agent wrapped up; afterwards the ladder goes on."""
    async with outbound_world(db_url, tmp_path) as world:
        await landline_client(world, tmp_path, "050-3671234")
        agent_id = await agent_takes_the_calls(world)
        await world.dispatch(TUESDAY)

        async def answered():
            attempt = await the_call(world)
            return attempt if attempt.state is AttemptState.ANSWERED else None

        call = await eventually(answered)
        carrier = world.dialing.dispatcher.adapters[Channel.CALL].carrier
        await carrier.client.calls(call.agent_leg_sid).update_async(status="completed")

        async def completed():
            found = await the_call(world)
            return found if found.carrier_status == "completed" else None

        await eventually(completed)
        later = TUESDAY + timedelta(days=2)
        await world.plan(later)
        assert len(await world.attempts("A")) == 1  # held: no next step

        async with world.sessions() as session, session.begin():
            await session.execute(
                sa.update(Attempt).where(Attempt.agent_id == agent_id).values(wrapped_up_at=later)
            )
        await world.plan(later)
        assert len(await world.attempts("A")) == 2  # the ladder goes on
