"""The care signal end to end, on SQLite and PostgreSQL, with the simulated carrier: once an
agent marks that a resident needs care, nothing reaches them any more: the queued attempt is
cancelled, the one a dispatch pass had claimed already is not sent, the planner queues
nothing new and does not close the follow-up, and a reply gets no automatic answer."""

import asyncio
from datetime import timedelta

import pytest
import sqlalchemy as sa

from dialer.worker import PassSummary
from followup.dialing import outreach_for
from followup.rules.care import CareProblem
from followup.rules.domain import (
    AttemptPurpose,
    AttemptState,
    AuditAction,
    Channel,
    FollowUpState,
    OutcomeCategory,
    Role,
)
from followup.rules.sms_replies import COLLEAGUE_GETS_IN_TOUCH, interpret
from followup.services.card_contact import sms_from_card
from followup.services.care import CareForm, Done, hand_over, mark_care, my_care
from followup.services.client_export import export_client
from followup.services.dispatch import claim_due, still_to_send
from followup.services.erasure import erase_client
from followup.services.outcomes import request_callback
from followup.services.refusals import QueueRefusal
from followup.services.replies import InboundSms, answer_by_link, receive_sms
from followup.services.users import add_user
from followup.store.follow_ups import lock_open_follow_up
from followup.store.leases import lease_next
from followup.store.staff_tables import AuditRecord
from followup.store.tables import (
    Attempt,
    CareSignal,
    Client,
    FollowUp,
    OptOut,
    Outcome,
    SmsMessage,
)
from followup.store.users import SignedIn
from tests.support.carrier import MONDAY, outbound_world
from tests.support.files import row
from tests.support.rows import NOW, add_attempt, add_call_waiting, add_client, add_follow_up
from tests.support.webhooks import SECRET

PASSWORD = "een lang wachtwoord"


async def staff(sessions, email: str, role: Role = Role.AGENT) -> SignedIn:
    user_id = await add_user(
        sessions, email=email, role=role, password=PASSWORD, now=MONDAY, actor="test"
    )
    return SignedIn(user_id, email, role, None)


async def follow_up_of(sessions, ref: str) -> tuple[int, int]:
    async with sessions() as session:
        found = await session.execute(
            sa.select(Client.id, FollowUp.id).join(FollowUp).where(Client.client_ref == ref)
        )
        return found.one()


async def test_nothing_is_sent_after_the_mark_not_even_an_attempt_already_claimed(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        await world.load([row("Z", phone="06-12345678")], tmp_path)
        await world.plan()
        client_id, follow_up_id = await follow_up_of(world.sessions, "Z")
        outreach = outreach_for(world.settings, world.rules, SECRET, world.calendar)
        # A dispatch pass claims the opening SMS: stored as `sending`, not yet with the carrier.
        claimed = await claim_due(
            world.sessions, now=MONDAY, channels=set(Channel), limit=10, outreach=outreach
        )
        assert [o.purpose for o in claimed.outbound] == [AttemptPurpose.OPENING]
        # Meanwhile the resident asked to be called: a call waits in the queue.
        async with world.sessions() as session, session.begin():
            await request_callback(
                session, await lock_open_follow_up(session, follow_up_id), MONDAY
            )
        agent = await staff(world.sessions, "agent@gemeente.example")
        colleague = await staff(world.sessions, "zorg@gemeente.example")
        done = await mark_care(
            world.sessions,
            client_id,
            follow_up_id,
            CareForm(colleague.id, MONDAY.date() + timedelta(days=2)),
            agent,
            MONDAY,
            MONDAY.date(),
        )
        assert done is Done.MARKED
        # The pass goes on to send what it claimed: the mark stops it on the way.
        summary = PassSummary()
        sent, results, _ = await world.dialing.dispatcher.send_claimed(
            claimed.outbound, MONDAY, summary
        )
        assert (sent, results, summary.cancelled) == ([], [], 1)
        # Later passes, planning weeks on and dispatching then, send and queue nothing.
        for days in (0, 3, 20, 45):
            await world.plan(MONDAY + timedelta(days=days))
            summary = await world.dispatch(MONDAY + timedelta(days=days))
            assert summary.sent == 0
        assert await world.received("messages") == []
        assert await world.received("calls") == []
        attempts = await world.attempts("Z")
        assert [(a.purpose, a.state, a.cancelled_reason) for a in attempts] == [
            (AttemptPurpose.OPENING, AttemptState.CANCELLED, "care"),
            (AttemptPurpose.CALLBACK, AttemptState.CANCELLED, "care"),
        ]
        # Still open: the colleague closes it with the hand-off, not the planner.
        async with world.sessions() as session:
            state = await session.scalar(
                sa.select(FollowUp.state).where(FollowUp.id == follow_up_id)
            )
        assert state is FollowUpState.OPEN


async def test_a_reply_of_a_marked_resident_is_read_by_a_person_and_not_answered(db_url, tmp_path):
    async with outbound_world(db_url, tmp_path) as world:
        await world.load([row("R", phone="06-12345678")], tmp_path)
        await world.plan()
        client_id, follow_up_id = await follow_up_of(world.sessions, "R")
        agent = await staff(world.sessions, "agent@gemeente.example")
        await mark_care(
            world.sessions,
            client_id,
            follow_up_id,
            CareForm(agent.id, MONDAY.date()),
            agent,
            MONDAY,
            MONDAY.date(),
        )
        sms = InboundSms("SM-care-1", "+31612345678", world.settings.twilio_from, "1")
        assert await receive_sms(world.sessions, sms, MONDAY, world.calendar) is None
        async with world.sessions() as session:
            review = await session.scalar(
                sa.select(SmsMessage.needs_review).where(SmsMessage.carrier_sid == "SM-care-1")
            )
            outcome = await session.scalar(
                sa.select(Outcome.id).where(Outcome.follow_up_id == follow_up_id)
            )
        assert (review, outcome) == (True, None)
        # STOP still opts out (unanswered); the colleague keeps the resident in their list.
        sms = InboundSms("SM-care-2", "+31612345678", world.settings.twilio_from, "STOP")
        assert await receive_sms(world.sessions, sms, MONDAY, world.calendar) is None
        async with world.sessions() as session:
            opted_out = await session.scalar(
                sa.select(OptOut.id).where(OptOut.client_id == client_id)
            )
        assert opted_out is not None
        assert [c.client_id for c in await my_care(world.sessions, agent)] == [client_id]


async def test_the_named_colleague_hands_over_once_and_others_may_not(sessions):
    async with sessions() as session, session.begin():
        client_id, conversation_id = await add_client(session, "H")
        follow_up_id = (
            await add_follow_up(session, client_id, conversation_id, round_number=1, opened_at=NOW)
        ).id
    agent = await staff(sessions, "agent@gemeente.example")
    colleague = await staff(sessions, "zorg@gemeente.example")
    other = await staff(sessions, "ander@gemeente.example")
    form = CareForm(colleague.id, NOW.date())
    args = (sessions, client_id, follow_up_id)
    assert await mark_care(*args, form, agent, NOW, NOW.date()) is Done.MARKED
    assert await mark_care(*args, form, other, NOW, NOW.date()) is Done.ALREADY_MARKED
    try:
        await hand_over(*args, other, NOW)
    except QueueRefusal as refusal:
        assert refusal.code == "niet-uw-zorg"
    else:
        raise AssertionError("another agent recorded the hand-off")
    assert await hand_over(*args, colleague, NOW) is Done.HANDED_OVER
    assert await hand_over(*args, colleague, NOW) is Done.ALREADY_HANDED_OVER
    async with sessions() as session:
        outcome = await session.scalar(
            sa.select(Outcome.category).where(Outcome.follow_up_id == follow_up_id)
        )
        actions = list(
            await session.scalars(
                sa.select(AuditRecord.action)
                .where(AuditRecord.client_id == client_id)
                .order_by(AuditRecord.seq)
            )
        )
    assert outcome is OutcomeCategory.WITH_WIJ
    assert actions == [AuditAction.CARE_MARKED, AuditAction.CARE_HANDED_OVER]


async def test_a_mark_without_a_colleague_or_in_the_past_changes_nothing(sessions):
    async with sessions() as session, session.begin():
        client_id, conversation_id = await add_client(session, "P")
        follow_up = await add_follow_up(
            session, client_id, conversation_id, round_number=1, opened_at=NOW
        )
        await add_attempt(session, follow_up.id, state=AttemptState.QUEUED, sent_at=None)
    agent = await staff(sessions, "agent@gemeente.example")
    for form in (CareForm(None, NOW.date()), CareForm(agent.id, NOW.date() - timedelta(days=1))):
        try:
            await mark_care(sessions, client_id, follow_up.id, form, agent, NOW, NOW.date())
        except CareProblem:
            pass
        else:
            raise AssertionError(f"{form} was taken")
    async with sessions() as session:
        signals = await session.scalar(sa.select(sa.func.count()).select_from(CareSignal))
        queued = await session.scalar(
            sa.select(sa.func.count()).where(Attempt.state == AttemptState.QUEUED)
        )
    assert (signals, queued) == (0, 1)


async def test_the_care_signal_is_exported_and_then_erased_with_the_resident(sessions):
    async with sessions() as session, session.begin():
        client_id, conversation_id = await add_client(session, "E")
        follow_up = await add_follow_up(
            session, client_id, conversation_id, round_number=1, opened_at=NOW
        )
    agent = await staff(sessions, "agent@gemeente.example")
    form = CareForm(agent.id, NOW.date())
    await mark_care(sessions, client_id, follow_up.id, form, agent, NOW, NOW.date())
    exported = await export_client(sessions, client_ref="E", now=NOW, actor="test")
    assert [row["follow_up_id"] for row in exported["tables"]["care_signals"]] == [follow_up.id]
    await erase_client(sessions, client_ref="E", now=NOW, actor="test")
    async with sessions() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(CareSignal)) == 0


async def test_what_a_person_sends_after_the_mark_still_goes_out(db_url, tmp_path):
    """Only automated contact stops: the colleague may text the resident from the card."""
    async with outbound_world(db_url, tmp_path) as world:
        await world.load([row("S", phone="06-12345678")], tmp_path)
        await world.plan()
        client_id, follow_up_id = await follow_up_of(world.sessions, "S")
        agent = await staff(world.sessions, "agent@gemeente.example")
        form = CareForm(agent.id, MONDAY.date())
        await mark_care(world.sessions, client_id, follow_up_id, form, agent, MONDAY, MONDAY.date())
        text = "Ik bel u morgen even over de hulp van het WIJ-team."
        await sms_from_card(world.sessions, client_id, follow_up_id, text, agent, MONDAY)
        summary = await world.dispatch()
        assert (summary.sent, summary.cancelled) == (1, 0)
        assert [m["body"] for m in await world.received("messages")] == [text]


async def test_an_answer_on_the_response_page_of_a_marked_resident_changes_nothing(sessions):
    """The named colleague gets in touch: no outcome and no callback from the page, which
    says so; a STOP on the page still opts out."""
    async with sessions() as session, session.begin():
        client_id, conversation_id = await add_client(session, "L")
        follow_up_id = (
            await add_follow_up(session, client_id, conversation_id, round_number=1, opened_at=NOW)
        ).id
    agent = await staff(sessions, "agent@gemeente.example")
    form = CareForm(agent.id, NOW.date())
    assert await mark_care(sessions, client_id, follow_up_id, form, agent, NOW, NOW.date())
    for choice in ("1", "BEL"):
        answered = await answer_by_link(sessions, follow_up_id, interpret(choice, None), NOW)
        assert answered == COLLEAGUE_GETS_IN_TOUCH
    async with sessions() as session:
        outcomes = await session.scalar(sa.select(sa.func.count()).select_from(Outcome))
        calls = await session.scalar(sa.select(sa.func.count()).select_from(Attempt))
    assert (outcomes, calls) == (0, 0)
    await answer_by_link(sessions, follow_up_id, interpret("STOP", None), NOW)
    async with sessions() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(OptOut)) == 1


# PostgreSQL only: SQLite takes one writer at a time, so there the mark is before or after
# the whole check, which the test above covers.
@pytest.mark.parametrize(
    "db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_a_claimed_batch_waits_for_a_mark_being_made_and_then_sends_nothing(db_url, tmp_path):
    """The mark's transaction holds the follow-up while the dispatcher checks the batch again:
    the check waits for it to commit, and then sees it."""
    async with outbound_world(db_url, tmp_path) as world:
        await world.load([row("W", phone="06-12345678")], tmp_path)
        await world.plan()
        outreach = outreach_for(world.settings, world.rules, SECRET, world.calendar)
        claimed = await claim_due(
            world.sessions, now=MONDAY, channels=set(Channel), limit=10, outreach=outreach
        )
        assert len(claimed.outbound) == 1
        client_id, follow_up_id = await follow_up_of(world.sessions, "W")
        async with world.sessions() as marking, marking.begin():
            assert await lock_open_follow_up(marking, follow_up_id) is not None
            marking.add(
                CareSignal(
                    follow_up_id=follow_up_id,
                    client_id=client_id,
                    marked_at=MONDAY,
                    deadline=MONDAY.date(),
                )
            )
            await marking.flush()
            check = asyncio.create_task(still_to_send(world.sessions, claimed.outbound, MONDAY))
            await asyncio.sleep(0.5)
            assert not check.done()  # waiting for the mark's transaction
        assert await check == []
        assert await world.received("messages") == []


async def test_volgende_inwoner_never_hands_out_a_resident_with_a_colleague_for_care(sessions):
    """A call queued after the mark (an agent's callback) is for the named colleague, who
    calls from the card: "Volgende inwoner" gives the resident to nobody."""
    async with sessions() as session, session.begin():
        client_id, follow_up, _ = await add_call_waiting(session, "V")
    agent = await staff(sessions, "agent@gemeente.example")
    form = CareForm(agent.id, NOW.date())
    assert await mark_care(sessions, client_id, follow_up.id, form, agent, NOW, NOW.date())
    async with sessions() as session, session.begin():
        await add_attempt(
            session,
            follow_up.id,
            channel=Channel.CALL,
            purpose=AttemptPurpose.CALLBACK,
            state=AttemptState.QUEUED,
            sent_at=None,
        )
    later = NOW + timedelta(minutes=1)
    async with sessions() as session, session.begin():
        assert await lease_next(session, agent.id, later, later + timedelta(minutes=5), NOW) is None
