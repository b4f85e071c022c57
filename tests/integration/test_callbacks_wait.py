"""A call a resident asked for (BEL) or agreed with an agent never goes stale: its round does
not end, its follow-up does not close as not reached, and a round that ended does not cancel
it, until the call is made."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import AttemptPurpose, AttemptState, Channel, FollowUpState
from followup.rules.planning_rules import PlanningRules
from followup.services.planning import run_planning_pass
from followup.store.tables import Attempt, FollowUp, Round
from tests.support.rows import NOW, add_attempt, add_client, add_follow_up, add_phone

RULES = PlanningRules(rounds=1)
CALENDAR = ContactCalendar(ZoneInfo("Europe/Amsterdam"))


async def a_callback_in_the_last_round(sessions, *, round_closed: bool) -> int:
    async with sessions() as session, session.begin():
        client_id, conversation_id = await add_client(session)
        follow_up = await add_follow_up(
            session, client_id, conversation_id, round_number=1, opened_at=NOW - timedelta(days=20)
        )
        await add_phone(session, client_id, "+31612345678")
        round_ = Round(
            follow_up_id=follow_up.id,
            number=1,
            opened_at=NOW - timedelta(days=20),
            closes_at=NOW - timedelta(days=1),
            closed_at=NOW - timedelta(days=1) if round_closed else None,
        )
        session.add(round_)
        await session.flush()
        callback = await add_attempt(
            session,
            follow_up.id,
            round_id=round_.id,
            channel=Channel.CALL,
            purpose=AttemptPurpose.CALLBACK,
            state=AttemptState.QUEUED,
            sent_at=None,
            tries=0,
            due_at=NOW,
        )
        return callback.id


async def plan(sessions, hours: int = 1) -> None:
    from zoneinfo import ZoneInfo

    calendar = ContactCalendar(ZoneInfo("Europe/Amsterdam"))
    await run_planning_pass(
        sessions, now=NOW + timedelta(hours=hours), rules=RULES, calendar=calendar
    )


async def state_of(sessions, callback_id: int):
    async with sessions() as session:
        attempt = await session.get(Attempt, callback_id)
        follow_up = await session.scalar(sa.select(FollowUp))
        round_ = await session.scalar(sa.select(Round))
        return attempt.state, follow_up.state, round_.closed_at is not None


async def test_a_waiting_callback_keeps_its_round_and_follow_up_open(sessions):
    callback = await a_callback_in_the_last_round(sessions, round_closed=False)
    await plan(sessions)
    assert await state_of(sessions, callback) == (
        AttemptState.QUEUED,
        FollowUpState.OPEN,
        False,
    )
    async with sessions() as session, session.begin():
        await session.execute(sa.update(Attempt).values(state=AttemptState.FAILED, finished_at=NOW))
    await plan(sessions, hours=2)
    assert await state_of(sessions, callback) == (AttemptState.FAILED, FollowUpState.CLOSED, True)


async def test_a_round_that_ended_does_not_cancel_a_callback_asked_for_since(sessions):
    callback = await a_callback_in_the_last_round(sessions, round_closed=True)
    async with sessions() as session, session.begin():
        await session.execute(sa.update(FollowUp).values(next_round_at=NOW + timedelta(days=10)))
    await plan(sessions)
    attempt_state, follow_up_state, _ = await state_of(sessions, callback)
    assert (attempt_state, follow_up_state) == (AttemptState.QUEUED, FollowUpState.OPEN)
