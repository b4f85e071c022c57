"""A carrier that answers with garbage, times out, fails with a 500 or a 429, or refuses our
credentials: no attempt is lost and none is sent twice."""

from datetime import timedelta

import pytest

from dialer.sim import Fault, FaultKind
from dialer.worker import SendingStopped
from followup.rules.domain import AttemptState
from tests.support.carrier import MONDAY, outbound_world
from tests.support.files import row

BEFORE_RECONCILING = MONDAY + timedelta(minutes=1)
RECONCILING = MONDAY + timedelta(minutes=5)
LATER = MONDAY + timedelta(minutes=30)


async def one_client(world, tmp_path) -> None:
    await world.load([row("A", phone="06-12345678")], tmp_path)
    await world.plan()


@pytest.mark.parametrize(
    "kind", [FaultKind.HTTP_500, FaultKind.GARBAGE, FaultKind.TIMEOUT], ids=lambda k: k.value
)
async def test_an_unclear_answer_after_the_carrier_sent_is_settled_by_asking(
    db_url, tmp_path, kind
):
    async with outbound_world(
        db_url, tmp_path, sim_callbacks=False, carrier_timeout_seconds=1
    ) as world:
        await one_client(world, tmp_path)
        world.sim.add_fault(Fault(kind, after_record=True))
        summary = await world.dispatch()
        assert (summary.sent, summary.unsure) == (0, 1)
        [attempt] = await world.attempts("A")
        assert attempt.state is AttemptState.SENDING
        assert attempt.error_message.startswith(("HTTP 500", "geen duidelijk antwoord"))
        # Too soon to ask: a slow request could still be under way. Nothing is sent again.
        assert (await world.dispatch(BEFORE_RECONCILING)).reconciled == 0
        assert (await world.dispatch(RECONCILING)).reconciled == 1
        [attempt] = await world.attempts("A")
        [message] = await world.received("messages")
        assert (attempt.state, attempt.carrier_sid) == (AttemptState.SENT, message["sid"])
        assert attempt.tries == 1
        await world.dispatch(LATER)
        assert len(await world.received("messages")) == 1


async def test_an_sms_with_the_response_link_is_still_recognised_days_later(db_url, tmp_path):
    async with outbound_world(
        db_url, tmp_path, sim_callbacks=False, carrier_timeout_seconds=1
    ) as world:
        await world.load([row("L", phone="06-12345678", link_in_sms="ja")], tmp_path)
        await world.plan()
        world.sim.add_fault(Fault(FaultKind.HTTP_500, after_record=True))
        assert (await world.dispatch()).unsure == 1
        # Asked two days later, the message renders with the same link, so it is found.
        assert (await world.dispatch(MONDAY + timedelta(days=2))).reconciled == 1
        [message] = await world.received("messages")
        assert "Of antwoord via deze link: http" in message["body"]
        assert "/antwoord/" in message["body"]
        [attempt] = await world.attempts("L")
        assert (attempt.state, attempt.carrier_sid) == (AttemptState.SENT, message["sid"])


async def test_an_unclear_answer_when_nothing_was_sent_is_tried_again(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path, sim_callbacks=False) as world:
        await one_client(world, tmp_path)
        world.sim.add_fault(Fault(FaultKind.HTTP_500))
        assert (await world.dispatch()).unsure == 1
        assert await world.received("messages") == []
        # The carrier has nothing: its failure, not the resident's. Back in the queue without
        # counting a try, and sent in the same pass, as the carrier's next probe.
        summary = await world.dispatch(RECONCILING)
        assert (summary.reconciled, summary.sent) == (1, 1)
        [attempt] = await world.attempts("A")
        assert (attempt.state, attempt.tries) == (AttemptState.SENT, 1)
        assert len(await world.received("messages")) == 1


async def test_a_429_is_tried_again_after_a_backoff(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        await one_client(world, tmp_path)
        world.sim.add_fault(Fault(FaultKind.HTTP_429))
        summary = await world.dispatch()
        assert (summary.sent, summary.failed) == (0, 1)
        [attempt] = await world.attempts("A")
        assert (attempt.state, attempt.error_code) == (AttemptState.QUEUED, 20429)
        assert MONDAY + timedelta(seconds=30) <= attempt.due_at <= MONDAY + timedelta(minutes=1)
        assert (await world.dispatch(MONDAY + timedelta(seconds=20))).sent == 0
        assert (await world.dispatch(LATER)).sent == 1
        assert len(await world.received("messages")) == 1


async def test_wrong_credentials_stop_sending_and_lose_nothing(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path, twilio_auth_token="not-the-token") as world:
        await world.load([row(str(n), phone=f"06-1234567{n}") for n in range(5)], tmp_path)
        await world.plan()
        with pytest.raises(SendingStopped, match="FOLLOWUP_TWILIO_AUTH_TOKEN"):
            await world.dispatch()
        attempts = [a for ref in "01234" for a in await world.attempts(ref)]
        assert {(a.state, a.tries) for a in attempts} == {(AttemptState.QUEUED, 0)}
        assert await world.received("messages") == []
