"""A population played through planning passes months apart, on SQLite and PostgreSQL."""

import asyncio
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import (
    AttemptState,
    ContactStatus,
    EvidenceSource,
    FollowUpState,
    MessageDirection,
    OptOutSource,
    OutcomeCategory,
    OutcomeSource,
)
from followup.rules.planning_rules import PlanningRules
from followup.services.import_clients import import_clients
from followup.services.planning import run_planning_pass
from followup.store.tables import (
    Attempt,
    Client,
    FollowUp,
    OptOut,
    Outcome,
    PhoneNumber,
    Round,
    SmsMessage,
)
from tests.support.files import row, write_csv
from tests.support.follow_up_facts import kept_and_worked_out

ZONE = ZoneInfo("Europe/Amsterdam")
CALENDAR = ContactCalendar(ZONE)
RULES = PlanningRules()


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


POPULATION = [
    row("A", phone="06-12345678", date="2025-12-01"),  # mobile
    row("B", phone="050-3671234", date="2025-12-01"),  # landline: calls only
    row("C", phone="", email="c@example.nl", date="2025-12-01"),  # e-mail only
    row("D", phone="", date="2025-12-01"),  # nothing at all
    row("E", phone="06-123", date="2025-12-01"),  # malformed number only
    row("F", phone="06-22222222", date="2026-02-15", months="6"),  # due in August
    row("G", phone="06-33333333", date="2025-12-01", initiative="inwoner"),  # due 2026-03-29
    row("H", phone="06-44444444", date="2025-12-01"),  # opted out
    row("I", phone="06-55555555", date="2025-12-01"),  # carrier proved it wrong
]


async def load(sessions, path, rows) -> None:
    await import_clients(
        sessions,
        write_csv(path, rows),
        today=date(2026, 3, 1),
        now=datetime(2026, 3, 1, tzinfo=UTC),
        actor="test",
    )


async def plan(sessions, when: datetime, rules: PlanningRules = RULES, dry_run: bool = False):
    return await run_planning_pass(
        sessions, now=when, rules=rules, calendar=CALENDAR, dry_run=dry_run
    )


async def load_population(sessions, tmp_path) -> None:
    await load(sessions, tmp_path / "p.csv", POPULATION)
    async with sessions() as session, session.begin():
        ids = dict((await session.execute(sa.select(Client.client_ref, Client.id))).all())
        session.add(
            OptOut(
                client_id=ids["H"],
                source=OptOutSource.SMS,
                created_at=datetime(2026, 2, 1, tzinfo=UTC),
            )
        )
        await session.execute(
            sa.update(PhoneNumber)
            .where(PhoneNumber.client_id == ids["I"])
            .values(
                status=ContactStatus.INVALID,
                invalid_reason="30005",
                invalid_source=EvidenceSource.DELIVERY_ERROR,
            )
        )


async def follow_ups(sessions) -> dict[str, tuple]:
    """client_ref -> (state, round, category, reason)"""
    async with sessions() as session:
        rows = await session.execute(
            sa.select(
                Client.client_ref,
                FollowUp.state,
                FollowUp.round_number,
                Outcome.category,
                Outcome.reason,
            )
            .join(FollowUp, FollowUp.client_id == Client.id)
            .outerjoin(Outcome, Outcome.follow_up_id == FollowUp.id)
        )
        return {
            ref: (state, number, category, reason) for ref, state, number, category, reason in rows
        }


async def attempts_of(sessions, ref: str) -> list[Attempt]:
    async with sessions() as session:
        return list(
            await session.scalars(
                sa.select(Attempt)
                .join(FollowUp)
                .join(Client)
                .where(Client.client_ref == ref)
                .order_by(Attempt.round_id, Attempt.step)
            )
        )


async def counts(sessions) -> tuple[int, ...]:
    async with sessions() as session:
        return tuple(
            [
                await session.scalar(sa.select(sa.func.count()).select_from(t))
                for t in (FollowUp, Round, Attempt, Outcome)
            ]
        )


OPEN, CLOSED = FollowUpState.OPEN, FollowUpState.CLOSED
UNREACHABLE = OutcomeCategory.UNREACHABLE


async def finish_queued(sessions) -> None:
    """What the dialer does, in short: every queued attempt is sent (and not answered)."""
    async with sessions() as session, session.begin():
        await session.execute(
            sa.update(Attempt)
            .where(Attempt.state == AttemptState.QUEUED)
            .values(state=AttemptState.SENT)
        )


async def run_ladders(sessions, when: datetime) -> None:
    """Send and plan until every round has had its whole ladder."""
    while (await plan(sessions, when)).attempts_queued:
        await finish_queued(sessions)


async def test_population_through_rounds_months_apart(sessions, tmp_path):
    await load_population(sessions, tmp_path)

    first = await plan(sessions, local("2026-03-02T10:00"))  # a Monday
    assert (first.follow_ups_opened, first.rounds_opened, first.follow_ups_closed) == (7, 3, 4)
    assert await follow_ups(sessions) == {
        "A": (OPEN, 1, None, None),
        "B": (OPEN, 1, None, None),
        "C": (OPEN, 1, None, None),
        "D": (CLOSED, 1, UNREACHABLE, "no_contact_details"),
        "E": (CLOSED, 1, UNREACHABLE, "no_contact_details"),
        "H": (CLOSED, 1, UNREACHABLE, "opted_out"),
        "I": (CLOSED, 1, UNREACHABLE, "invalid_number"),
    }
    # One step at a time: the first applicable step of each ladder is queued.
    assert [(a.step, a.channel, a.purpose) for a in await attempts_of(sessions, "A")] == [
        (0, "sms", "opening")
    ]
    assert [(a.step, a.channel) for a in await attempts_of(sessions, "B")] == [(1, "call")]
    assert [(a.step, a.channel) for a in await attempts_of(sessions, "C")] == [(0, "email")]
    opening = (await attempts_of(sessions, "A"))[0]
    assert opening.due_at == local("2026-03-02T10:00")  # inside the message window: at once

    before = await counts(sessions)
    again = await plan(sessions, local("2026-03-02T10:00"))
    assert (
        again.follow_ups_opened,
        again.rounds_opened,
        again.attempts_queued,
        again.follow_ups_closed,
        again.rounds_closed,
    ) == (0, 0, 0, 0, 0)
    assert await counts(sessions) == before

    # Once the opening is sent, the next step follows; the ladder of each profile differs.
    await finish_queued(sessions)
    await plan(sessions, local("2026-03-02T10:05"))
    assert [(a.step, a.channel, a.state) for a in await attempts_of(sessions, "A")] == [
        (0, "sms", "sent"),
        (1, "call", "queued"),
    ]
    assert (await attempts_of(sessions, "A"))[1].due_at == local("2026-03-03T09:30")
    assert [(a.step, a.channel) for a in await attempts_of(sessions, "B")] == [
        (1, "call"),
        (2, "call"),
    ]
    assert [(a.step, a.purpose) for a in await attempts_of(sessions, "C")] == [
        (0, "opening"),
        (3, "reminder"),
    ]

    # Round 1 ran 14 days; the next one opens 14 days after the pass that saw it end.
    second = await plan(sessions, local("2026-03-20T10:00"))
    assert (second.rounds_closed, second.rounds_opened, second.follow_ups_opened) == (3, 0, 0)
    assert [a.state for a in await attempts_of(sessions, "B")] == ["sent", "cancelled"]

    third = await plan(sessions, local("2026-04-07T10:00"))
    assert (third.rounds_opened, third.follow_ups_opened) == (4, 1)  # A, B, C round 2; G round 1
    states = await follow_ups(sessions)
    assert states["A"] == states["B"] == states["C"] == (OPEN, 2, None, None)
    assert states["G"] == (OPEN, 1, None, None)

    async with sessions() as session, session.begin():  # A answers "1" during round 2
        a_id = await session.scalar(
            sa.select(FollowUp.id).join(Client).where(Client.client_ref == "A")
        )
        session.add(
            Outcome(
                follow_up_id=a_id,
                category=OutcomeCategory.ACTIVE,
                source=OutcomeSource.SMS,
                recorded_at=local("2026-04-08T12:00"),
            )
        )

    await plan(sessions, local("2026-05-01T10:00"))
    states = await follow_ups(sessions)
    assert states["A"] == (CLOSED, 2, OutcomeCategory.ACTIVE, None)
    assert states["B"] == states["C"] == (CLOSED, 2, UNREACHABLE, "no_answer")
    assert states["G"][:2] == (OPEN, 1)
    assert "F" not in states
    assert all(
        a.state == AttemptState.CANCELLED
        for a in await attempts_of(sessions, "A")
        if a.due_at > local("2026-04-08T12:00")
    )

    await plan(sessions, local("2026-09-01T10:00"))  # F is due now, G has had its second round
    states = await follow_ups(sessions)
    assert states["F"] == (OPEN, 1, None, None)
    assert states["G"] == (OPEN, 2, None, None)
    # What the follow-ups keep for the report agrees with the rows the passes wrote.
    kept, worked_out = await kept_and_worked_out(sessions)
    assert kept == worked_out


async def test_calls_respect_working_days_and_messages_the_window(sessions, tmp_path):
    await load(sessions, tmp_path / "c.csv", [row("A", date="2025-12-01")])
    await run_ladders(sessions, local("2026-03-28T21:00"))  # Saturday night, before DST
    attempts = await attempts_of(sessions, "A")
    assert [a.step for a in attempts] == [0, 1, 2, 3, 4]
    assert attempts[0].due_at == local("2026-03-30T09:00")  # Sunday is closed
    assert attempts[0].due_at.hour == 7  # 09:00 summer time is 07:00 UTC
    for attempt in attempts:
        day = attempt.due_at.astimezone(ZONE)
        assert CALENDAR.is_working_day(day.date()) or attempt.channel == "sms"
        assert 9 <= day.hour < 20


async def test_a_changed_rule_applies_to_rounds_not_yet_started(sessions, tmp_path):
    await load(sessions, tmp_path / "c.csv", [row("A", date="2025-12-01")])
    await plan(sessions, local("2026-03-02T10:00"))
    changed = RULES.model_copy(update={"rounds": 3, "round_days": 7, "round_gap_days": 0})
    await plan(sessions, local("2026-03-10T10:00"), changed)  # round 1 still runs (14 days)
    assert (await follow_ups(sessions))["A"] == (OPEN, 1, None, None)

    await plan(sessions, local("2026-03-17T10:00"), changed)  # ended: round 2 opens at once
    async with sessions() as session:
        rounds = (
            await session.execute(
                sa.select(Round.number, Round.opened_at, Round.closes_at).order_by(Round.number)
            )
        ).all()
    assert [(n, closes - opened) for n, opened, closes in rounds] == [
        (1, timedelta(days=14)),
        (2, timedelta(days=7)),
    ]
    await plan(sessions, local("2026-03-25T10:00"), changed)
    assert (await follow_ups(sessions))["A"] == (OPEN, 3, None, None)


async def test_only_the_latest_due_conversation_is_followed_up(sessions, tmp_path):
    rows = [row("A", date="2025-10-01"), row("B", date="2025-10-01")]
    await load(sessions, tmp_path / "a.csv", rows)
    rows = [row("A", date="2025-11-01"), row("B", date="2026-02-01")]
    await load(sessions, tmp_path / "b.csv", rows)
    result = await plan(sessions, local("2026-03-02T10:00"))
    assert result.follow_ups_opened == 2
    async with sessions() as session:
        due = dict(
            (
                await session.execute(
                    sa.select(Client.client_ref, sa.func.count())
                    .join(FollowUp)
                    .group_by(Client.client_ref)
                )
            ).all()
        )
    assert due == {"A": 1, "B": 1}  # A: the November conversation; B: only October is due


async def test_dry_run_lists_and_changes_nothing(sessions, tmp_path):
    await load_population(sessions, tmp_path)
    before = await counts(sessions)
    result = await plan(sessions, local("2026-03-02T10:00"), dry_run=True)
    assert await counts(sessions) == before
    assert result.follow_ups_opened == 7
    assert [o["client_ref"] for o in result.details["opened"]] == ["A", "B", "C"]
    assert {c["client_ref"]: c["reason"] for c in result.details["closed"]} == {
        "D": "no_contact_details",
        "E": "no_contact_details",
        "H": "opted_out",
        "I": "invalid_number",
    }
    assert sum(q["count"] for q in result.details["queued"]) == result.attempts_queued == 3


async def test_two_overlapping_passes_create_no_duplicates(db_url, tmp_path):
    from followup.store.engine import create_engine, session_factory

    engines = [create_engine(db_url) for _ in range(2)]
    try:
        sessions = session_factory(engines[0])
        rows = [row(str(n), phone=f"06-1{n:07d}", date="2025-12-01") for n in range(300)]
        await load(sessions, tmp_path / "c.csv", rows)
        when = local("2026-03-02T10:00")
        results = await asyncio.gather(*(plan(session_factory(e), when) for e in engines))
        assert sum(r.follow_ups_opened for r in results) == 300
        assert sum(r.attempts_queued for r in results) == 300
        assert await counts(sessions) == (300, 300, 300, 0)
    finally:
        for engine in engines:
            await engine.dispose()


async def test_a_reply_stops_the_attempts_queued_before_it(sessions, tmp_path):
    rows = [row("A", date="2025-12-01"), row("B", date="2025-12-01")]
    await load(sessions, tmp_path / "c.csv", rows)
    await plan(sessions, local("2026-03-02T10:00"))
    async with sessions() as session, session.begin():
        client_id = await session.scalar(sa.select(Client.id).where(Client.client_ref == "A"))
        session.add(
            SmsMessage(
                direction=MessageDirection.INBOUND,
                client_id=client_id,
                from_number="+31612345678",
                to_number="+3197010000001",
                body="wie is dit?",
                needs_review=True,
                created_at=local("2026-03-02T11:00"),
            )
        )
    result = await plan(sessions, local("2026-03-02T11:05"))
    assert result.attempts_cancelled == 1
    assert {a.cancelled_reason for a in await attempts_of(sessions, "A")} == {"client_replied"}
    assert {a.state for a in await attempts_of(sessions, "B")} == {AttemptState.QUEUED}
    await finish_queued(sessions)
    await plan(sessions, local("2026-03-02T11:10"))  # B's ladder goes on, A's stopped
    assert len(await attempts_of(sessions, "A")) == 1
    assert len(await attempts_of(sessions, "B")) == 2


@pytest.mark.parametrize(
    "when", ["2026-04-27T10:00", "2026-04-06T10:00"], ids=["kings-day", "easter-monday"]
)
async def test_nothing_is_sent_on_a_public_holiday(sessions, tmp_path, when):
    await load(sessions, tmp_path / "c.csv", [row("A", date="2025-12-01")])
    await run_ladders(sessions, local(when))
    holiday = local(when).date()
    assert all(
        a.due_at.astimezone(ZONE).date() != holiday for a in await attempts_of(sessions, "A")
    )
