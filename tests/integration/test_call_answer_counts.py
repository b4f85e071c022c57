"""The answer rates by weekday and hour come from a counts table kept as calls' final statuses
are stored: on SQLite and PostgreSQL it always equals a count over the attempts themselves,
whatever batches the reports came in, and the migration that made it fills it the same way."""

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import command

from followup.rules.attempt_failures import Recovery
from followup.rules.carrier_status import StatusReport
from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import AttemptPurpose, AttemptState, CallLeg, CarrierResource, Channel
from followup.rules.planning_rules import PlanningRules
from followup.services.carrier_status import apply_statuses
from followup.store.dashboard_queries import answer_counts
from followup.store.engine import create_engine, session_factory
from followup.store.migrate import alembic_config, upgrade
from followup.store.tables import Attempt, CallAnswerCount, Client, FollowUp
from tests.support.rows import add_attempt, add_client, add_follow_up

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
RECOVERY = Recovery(PlanningRules(), ContactCalendar(AMSTERDAM), jitter=lambda: 0.5)
FINAL = ("completed", "busy", "no-answer", "failed", "canceled")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=AMSTERDAM)


# wijk, follow-up opened (local), call placed (local), the statuses reported for its
# resident's leg ("+" marks answered by a machine)
CALLS = [
    ("Selwerd", "2026-03-02T09:00", "2026-03-03T10:15", ["ringing", "in-progress", "completed"]),
    ("Selwerd", "2026-03-02T09:00", "2026-03-03T10:45", ["ringing", "no-answer"]),
    ("Selwerd", "2026-03-31T23:30", "2026-04-06T18:05", ["completed+"]),  # voicemail
    ("Paddepoel", "2026-04-01T08:00", "2026-04-06T18:30", ["busy", "completed"]),  # first stays
    ("Paddepoel", "2026-04-01T08:00", "2026-03-29T02:30", ["completed"]),  # the DST night
    ("Paddepoel", "2026-04-01T08:00", "2026-04-07T11:00", ["ringing"]),  # still ringing
    ("Paddepoel", "2026-04-01T08:00", "2026-04-08T11:00", ["completed", "completed"]),
]


async def make_calls(sessions) -> list[StatusReport]:
    reports = []
    async with sessions() as session, session.begin():
        for i, (wijk, opened, placed, statuses) in enumerate(CALLS):
            client_id, conversation_id = await add_client(session, f"K{i}", wijk)
            follow_up = await add_follow_up(
                session, client_id, conversation_id, round_number=1, opened_at=local(opened)
            )
            sid = f"CA{i:032d}"
            attempt = await add_attempt(
                session,
                follow_up.id,
                channel=Channel.CALL,
                purpose=AttemptPurpose.CALL,
                state=AttemptState.SENT,
                sent_at=local(placed),
                carrier_sid=sid,
            )
            for status in statuses:
                reports.append(
                    StatusReport(
                        resource=CarrierResource.CALL,
                        sid=sid,
                        status=status.rstrip("+"),
                        attempt_id=attempt.id,
                        leg=CallLeg.CLIENT,
                        answered_by="machine_start" if status.endswith("+") else "human",
                    )
                )
        # An SMS is no call.
        await add_attempt(session, follow_up.id, carrier_sid="SM1", state=AttemptState.DELIVERED)
    return reports


async def direct_count(sessions, wijk: str | None = None) -> list[tuple[int, int, int, int]]:
    """The grid counted over the attempts themselves."""
    query = (
        sa.select(Attempt.sent_at, Attempt.carrier_status, Attempt.answered_by)
        .join(FollowUp, FollowUp.id == Attempt.follow_up_id)
        .join(Client, Client.id == FollowUp.client_id)
        .where(Attempt.channel == Channel.CALL, Attempt.carrier_status.in_(FINAL))
    )
    if wijk:
        query = query.where(Client.wijk == wijk)
    calls, answered = Counter(), Counter()
    async with sessions() as session:
        for sent_at, status, answered_by in await session.execute(query):
            slot = (sent_at.astimezone(AMSTERDAM).weekday(), sent_at.astimezone(AMSTERDAM).hour)
            calls[slot] += 1
            answered[slot] += status == "completed" and answered_by == "human"
    return [(*slot, calls[slot], answered[slot]) for slot in sorted(calls)]


async def grid(sessions, *filters) -> list[tuple[int, int, int, int]]:
    async with sessions() as session:
        return await answer_counts(session, *(filters or (None, None, None)))


async def test_the_counts_equal_a_count_over_the_attempts(empty_db_url):
    engine = create_engine(empty_db_url)
    sessions = session_factory(engine)
    try:
        await upgrade(engine)
        reports = await make_calls(sessions)
        # Stored in batches of different sizes, as callbacks arrive.
        for batch in (reports[:3], reports[3:4], reports[4:]):
            async with engine.connect() as connection:
                await apply_statuses(
                    connection, batch, now=local("2026-04-09T12:00"), recovery=RECOVERY
                )

        expected = [
            (0, 18, 2, 0),  # Monday 18:00: voicemail and busy, neither answered by a person
            (1, 10, 2, 1),  # Tuesday 10:00: one of two
            (2, 11, 1, 1),  # Wednesday 11:00: counted once though reported twice
            (6, 3, 1, 1),  # 02:30 on the night clocks go forward is 03:30 summer time
        ]
        assert await direct_count(sessions) == expected
        assert await grid(sessions) == expected
        assert await grid(sessions, None, None, "Selwerd") == await direct_count(
            sessions, "Selwerd"
        )
        # The month the follow-up opened: 23:30 on 31 March is still March.
        assert await grid(sessions, "2026-04", "2026-04", None) == [
            (0, 18, 1, 0), (2, 11, 1, 1), (6, 3, 1, 1),
        ]  # fmt: skip
        assert await grid(sessions, "2026-03", "2026-03", "Paddepoel") == []

        # The migration that made the table fills it from the calls already finished.
        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0006"))
        await upgrade(engine)
        assert await grid(sessions) == expected
        async with sessions() as session:
            assert (
                await session.scalar(sa.select(sa.func.count()).select_from(CallAnswerCount)) == 5
            )
    finally:
        await engine.dispose()
