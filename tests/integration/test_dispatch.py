"""The dialer end to end, on SQLite and PostgreSQL: planned attempts go out through the real
`twilio` library to the simulated carrier, its signed callbacks come back over HTTP, and a
wrong number is flagged and handed to the next channel."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from followup.rules.domain import (
    AttemptPurpose,
    AttemptState,
    Channel,
    ContactStatus,
    EvidenceSource,
    FollowUpState,
    MessageDirection,
    OptOutSource,
    OutcomeCategory,
    OutcomeSource,
    UnreachableReason,
)
from followup.rules.planning_rules import PlanningRules
from followup.services.pacing import pause_channel
from followup.store.tables import Client, FollowUp, OptOut, Outcome, PhoneNumber, SmsMessage
from tests.support.carrier import MONDAY, eventually, outbound_world
from tests.support.files import row

SENT, DELIVERED, FAILED = AttemptState.SENT, AttemptState.DELIVERED, AttemptState.FAILED


async def states(world, ref: str) -> list[tuple]:
    return [(a.channel, a.state) for a in await world.attempts(ref)]


async def settled(world, ref: str, expected: list[tuple]):
    async def check():
        return await states(world, ref) == expected

    try:
        await eventually(check)
    except AssertionError:
        pytest.fail(f"{ref}: {await states(world, ref)} != {expected}")


async def number_of(world, ref: str, e164: str) -> PhoneNumber:
    async with world.sessions() as session:
        return await session.scalar(
            sa.select(PhoneNumber)
            .join(Client)
            .where(Client.client_ref == ref, PhoneNumber.e164 == e164)
        )


async def outcome_of(world, ref: str) -> tuple:
    async with world.sessions() as session:
        found = await session.execute(
            sa.select(FollowUp.state, Outcome.category, Outcome.reason, Outcome.source)
            .join(Client)
            .outerjoin(Outcome, Outcome.follow_up_id == FollowUp.id)
            .where(Client.client_ref == ref)
        )
        return found.one()


async def test_an_opening_sms_is_sent_once_and_delivered(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        await world.load([row("A", phone="06-12345678")], tmp_path)
        await world.plan()
        summary = await world.dispatch()
        assert summary.sent == 1
        await settled(world, "A", [(Channel.SMS, DELIVERED)])
        [attempt] = await world.attempts("A")
        assert attempt.carrier_sid.startswith("SM")
        assert attempt.carrier_status == "delivered"
        assert attempt.to_address == "+31612345678"
        assert attempt.tries == 1
        [message] = await world.received("messages")
        assert message["to"] == "+31612345678"
        assert message["sid"] == attempt.carrier_sid
        assert "Stuur 1 als u actief bent" in message["body"]
        assert "/antwoord/" not in message["body"]  # only for those who asked for the link
        async with world.sessions() as session:
            stored = await session.scalar(sa.select(SmsMessage))
        assert stored.direction is MessageDirection.OUTBOUND
        assert stored.carrier_sid == attempt.carrier_sid
        assert stored.body == message["body"]
        # A second pass at the same moment finds nothing left to send.
        again = await world.dispatch()
        assert (again.sent, len(await world.received("messages"))) == (0, 1)


async def test_an_invalid_number_is_flagged_and_email_takes_over(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        await world.load([row("B", phone="06-12340000", email="b@example.nl")], tmp_path)
        await world.plan()
        summary = await world.dispatch()
        assert (summary.sent, summary.failed) == (1, 1)  # the e-mail went out in the same pass
        attempts = await world.attempts("B")
        assert [(a.channel, a.state) for a in attempts] == [
            (Channel.SMS, FAILED),
            (Channel.EMAIL, SENT),
        ]
        failed, fallback = attempts
        assert failed.error_code == 21211
        assert "+316" not in failed.error_message and "12340000" not in failed.error_message
        assert fallback.replaces_id == failed.id
        assert fallback.purpose is AttemptPurpose.OPENING
        assert fallback.to_address == "b@example.nl"
        number = await number_of(world, "B", "+31612340000")
        assert number.status is ContactStatus.INVALID
        assert number.invalid_source is EvidenceSource.CARRIER_ERROR
        assert number.invalid_reason == "carrier_21211"
        assert (tmp_path / "outbox" / f"attempt-{fallback.id}.eml").exists()
        assert await world.received("messages") == []
        # The number is never used again, not even by a later step of the ladder.
        await world.plan(MONDAY + timedelta(days=1))
        await world.dispatch(MONDAY + timedelta(days=1))
        assert await world.received("messages") == []


async def test_the_last_wrong_number_closes_the_follow_up(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        await world.load([row("C", phone="06-12340000")], tmp_path)
        await world.plan()
        await world.dispatch()
        assert await outcome_of(world, "C") == (
            FollowUpState.CLOSED,
            OutcomeCategory.UNREACHABLE,
            UnreachableReason.INVALID_NUMBER,
            OutcomeSource.DIALER,
        )
        assert await states(world, "C") == [(Channel.SMS, FAILED)]


async def test_an_unknown_handset_hands_over_to_the_second_number(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        await world.load([row("D", phone="06-12340005", phone_alt="06-87654321")], tmp_path)
        await world.plan()
        await world.dispatch()

        # 30005 comes later, in a delivery callback: then the second number takes over.
        async def handed_over():
            found = await states(world, "D")
            return len(found) == 2 and found[0] == (Channel.SMS, FAILED)

        await eventually(handed_over)
        first = await number_of(world, "D", "+31612340005")
        assert first.status is ContactStatus.INVALID
        assert first.invalid_source is EvidenceSource.DELIVERY_ERROR
        await world.dispatch()
        await settled(world, "D", [(Channel.SMS, FAILED), (Channel.SMS, DELIVERED)])
        sent_to = [m["to"] for m in await world.received("messages")]
        assert sent_to == ["+31612340005", "+31687654321"]


async def test_an_unreachable_handset_is_tried_again_until_the_policy_gives_up(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        await world.load([row("E", phone="06-12340003")], tmp_path)
        await world.plan()
        moment = MONDAY
        for tries in range(1, 5):
            await world.dispatch(moment)
            await eventually(lambda n=tries: _failed_count(world, "E", n))
            moment += timedelta(hours=2)  # past any backoff, still inside the window
        attempts = await world.attempts("E")
        assert [a.state for a in attempts] == [FAILED] * 4
        assert [a.tries for a in attempts] == [1, 2, 3, 4]
        assert [a.replaces_id for a in attempts[1:]] == [a.id for a in attempts[:-1]]
        assert "opgegeven na 4 keer" in attempts[-1].error_message
        assert len(await world.received("messages")) == 4
        # The number itself is fine: 30003 means switched off, not wrong.
        assert (await number_of(world, "E", "+31612340003")).status is ContactStatus.VALID
        await world.dispatch(moment)
        assert len(await world.received("messages")) == 4


async def _failed_count(world, ref: str, expected: int) -> bool:
    return sum(a.state is FAILED for a in await world.attempts(ref)) == expected


async def test_a_landline_taken_for_a_mobile_keeps_its_calls(db_url, tmp_path):
    """Stale data: the number was recorded as a mobile and is a landline now (21614)."""
    async with outbound_world(db_url, tmp_path) as world:
        await world.load([row("F", phone="06-12345678", email="f@example.nl")], tmp_path)
        async with world.sessions() as session, session.begin():
            await session.execute(sa.update(PhoneNumber).values(e164="+31503671234"))
        await world.plan()
        await world.dispatch()
        failed, fallback = await world.attempts("F")
        assert (failed.error_code, failed.state) == (21614, FAILED)
        assert fallback.channel is Channel.EMAIL
        number = await number_of(world, "F", "+31503671234")
        assert number.status is ContactStatus.VALID  # calls may still reach it
        assert number.sms_blocked


async def test_nothing_goes_out_outside_the_contact_window(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        await world.load([row("G", phone="06-12345678")], tmp_path)
        await world.plan()  # the opening SMS is due at once, Monday 10:00
        tuesday, sunday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=6)
        for closed in (
            MONDAY.replace(hour=21),
            tuesday.replace(hour=8, minute=59),
            sunday.replace(hour=12),
            (tuesday + timedelta(days=31)).replace(hour=12),  # Christmas Day
        ):
            assert (await world.dispatch(closed)).sent == 0
        assert await world.received("messages") == []
        assert (await world.dispatch(tuesday.replace(hour=9))).sent == 1


async def test_an_opt_out_stops_queued_attempts(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        await world.load([row("H", phone="06-12345678")], tmp_path)
        await world.plan()
        async with world.sessions() as session, session.begin():
            client_id = await session.scalar(sa.select(Client.id))
            session.add(OptOut(client_id=client_id, source=OptOutSource.SMS, created_at=MONDAY))
        summary = await world.dispatch()
        assert (summary.sent, summary.cancelled) == (0, 1)
        [attempt] = await world.attempts("H")
        assert (attempt.state, attempt.cancelled_reason) == (AttemptState.CANCELLED, "opted_out")
        assert await world.received("messages") == []


async def test_a_preferred_email_goes_to_the_outbox(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        await world.load(
            [row("I", phone="06-12345678", email="i@example.nl", channel="email")], tmp_path
        )
        await world.plan()
        await world.dispatch()
        [attempt] = await world.attempts("I")
        assert (attempt.channel, attempt.state, attempt.carrier_status) == (
            Channel.EMAIL,
            SENT,
            "outbox",
        )
        content = (tmp_path / "outbox" / f"attempt-{attempt.id}.eml").read_text()
        assert "To: i@example.nl" in content
        assert "Subject: Hoe gaat het met u?" in content
        assert attempt.carrier_sid in content  # the Message-ID


async def test_a_lookup_catches_a_wrong_number_before_any_sms(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path, lookup_before_sms=True) as world:
        await world.load(
            [row("J", phone="06-12340000", email="j@example.nl"), row("K", phone="06-12345678")],
            tmp_path,
        )
        await world.plan()
        await world.dispatch()
        number = await number_of(world, "J", "+31612340000")
        assert (number.status, number.invalid_source) == (
            ContactStatus.INVALID,
            EvidenceSource.LOOKUP,
        )
        assert [a.channel for a in await world.attempts("J")] == [Channel.SMS, Channel.EMAIL]
        assert [m["to"] for m in await world.received("messages")] == ["+31612345678"]
        assert (await number_of(world, "K", "+31612345678")).looked_up_at is not None


async def test_the_contact_window_comes_from_the_planning_rules(db_url, tmp_path):
    rules = PlanningRules.model_validate(
        PlanningRules().model_dump(mode="json")
        | {"message_window": {"days": ["mon"], "start": "09:00", "end": "10:30"}}
    )
    async with outbound_world(db_url, tmp_path, rules=rules) as world:
        await world.load([row("L", phone="06-12345678")], tmp_path)
        await world.plan()
        assert (await world.dispatch(MONDAY.replace(hour=11))).sent == 0
        assert (await world.dispatch()).sent == 1


async def test_a_paused_channel_waits_and_goes_out_after_resuming(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        await world.load(
            [row("P", phone="06-12345678"), row("Q", phone="", email="q@example.nl")], tmp_path
        )
        await world.plan()
        await pause_channel(world.sessions, "sms", paused=True, now=MONDAY, actor="c")
        summary = await world.dispatch()
        assert summary.sent == 1  # Q's e-mail: only SMS is paused
        assert await states(world, "P") == [(Channel.SMS, AttemptState.QUEUED)]
        assert await world.received("messages") == []

        await pause_channel(world.sessions, "sms", paused=False, now=MONDAY, actor="c")
        assert (await world.dispatch(MONDAY + timedelta(minutes=5))).sent == 1
        assert len(await world.received("messages")) == 1
