"""Learned call times through a real planning pass, on SQLite and PostgreSQL: each wijk's
calls go to the hour its residents answered most, a wijk without history has its calls spread
over the day, and with fixed times every call keeps its step's day part."""

from collections import Counter
from datetime import UTC, date, datetime
from random import Random
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from followup.rules.contact_calendar import AroundTheClock, ContactCalendar
from followup.rules.domain import AttemptState, Channel
from followup.rules.planning_rules import PlanningRules, StepSpec
from followup.services.import_clients import import_clients
from followup.services.planning import run_planning_pass
from followup.store.tables import Attempt, CallAnswerCount, Client, FollowUp
from tests.support.files import row, write_csv

ZONE = ZoneInfo("Europe/Amsterdam")
CALENDAR = ContactCalendar(ZONE)
MONDAY = datetime(2026, 3, 2, 10, tzinfo=ZONE)  # the residents below are due the day before
TUESDAY = 1
PER_WIJK = 60
# The Tuesday hour each wijk's residents answer at; "Hoogkerk" has no calls on record.
BEST_HOUR = {"Noord": 14, "Zuid": 10}


async def landline_residents(sessions, tmp_path) -> None:
    """Residents with a landline only, so the first step of their ladder is a call."""
    rows = [
        row(f"{wijk[0]}{i}", wijk=wijk, phone=f"050-36{i:05d}", date="2025-12-01")
        for wijk in (*BEST_HOUR, "Hoogkerk")
        for i in range(PER_WIJK)
    ]
    await import_clients(
        sessions,
        write_csv(tmp_path / "clients.csv", rows),
        today=date(2026, 3, 1),
        now=datetime(2026, 3, 1, tzinfo=UTC),
        actor="test",
    )


async def answered_before(sessions, best_hour: dict[str, int] = BEST_HOUR) -> None:
    """Last months' Tuesday calls: each wijk's residents answered at their hour, seldom else."""
    async with sessions() as session, session.begin():
        session.add_all(
            CallAnswerCount(
                opened_month="2026-01",
                wijk=wijk,
                weekday=TUESDAY,
                hour=hour,
                calls=100,
                answered=70 if hour == best else 10,
            )
            for wijk, best in best_hour.items()
            for hour in range(9, 20)
        )


async def call_hours(sessions) -> dict[str, Counter]:
    """Per wijk: how many calls were queued at each local (weekday, hour:minute)."""
    async with sessions() as session:
        rows = await session.execute(
            sa.select(Client.wijk, Attempt.due_at)
            .join(FollowUp, FollowUp.id == Attempt.follow_up_id)
            .join(Client, Client.id == FollowUp.client_id)
            .where(Attempt.channel == Channel.CALL)
        )
    hours: dict[str, Counter] = {}
    for wijk, due_at in rows:
        local = due_at.astimezone(ZONE)
        hours.setdefault(wijk, Counter())[(local.weekday(), f"{local:%H:%M}")] += 1
    return hours


async def plan(
    sessions,
    call_times: str,
    now: datetime = MONDAY,
    calendar: ContactCalendar = CALENDAR,
    **rules,
) -> None:
    await run_planning_pass(
        sessions,
        now=now,
        rules=PlanningRules(call_times=call_times, **rules),
        calendar=calendar,
        rng=Random(7),
    )


async def test_each_wijk_is_called_when_its_residents_answer(sessions, tmp_path):
    await landline_residents(sessions, tmp_path)
    await answered_before(sessions)
    async with sessions() as session, session.begin():  # 13 months before: no longer counted
        session.add(
            CallAnswerCount(
                opened_month="2025-03", wijk="Noord", weekday=1, hour=11, calls=999, answered=999
            )
        )
    await plan(sessions, "learned")
    hours = await call_hours(sessions)
    for wijk, best in BEST_HOUR.items():
        assert sum(hours[wijk].values()) == PER_WIJK
        assert hours[wijk][(TUESDAY, f"{best}:00")] >= PER_WIJK * 0.9, hours[wijk]
    # No calls of its own: it borrows the hours the other wijken answer at, and tries both.
    borrowed = hours["Hoogkerk"]
    at_their_hours = borrowed[(TUESDAY, "10:00")] + borrowed[(TUESDAY, "14:00")]
    assert at_their_hours >= PER_WIJK * 0.8 and borrowed[(TUESDAY, "10:00")] > 0, borrowed


async def test_without_any_history_the_calls_are_spread_over_the_day(sessions, tmp_path):
    await landline_residents(sessions, tmp_path)
    await plan(sessions, "learned")
    for hours in (await call_hours(sessions)).values():
        assert sum(hours.values()) == PER_WIJK
        assert {weekday for weekday, _ in hours} == {TUESDAY}  # the ladder's day stays
        assert len(hours) >= 6 and max(hours.values()) <= PER_WIJK / 3, hours


async def test_fixed_times_keep_the_day_part_whatever_was_answered(sessions, tmp_path):
    await landline_residents(sessions, tmp_path)
    await answered_before(sessions)
    await plan(sessions, "fixed")
    hours = await call_hours(sessions)
    for wijk in (*BEST_HOUR, "Hoogkerk"):
        assert hours[wijk] == Counter({(TUESDAY, "09:30"): PER_WIJK})


async def test_a_second_pass_at_the_same_moment_queues_nothing_more(sessions, tmp_path):
    await landline_residents(sessions, tmp_path)
    await plan(sessions, "learned")
    before = await call_hours(sessions)
    await plan(sessions, "learned")
    assert await call_hours(sessions) == before


async def test_the_demo_calls_at_the_ladders_times(sessions, tmp_path):
    """The demo's calendar is open day and night: its calls go when the ladder says."""
    await landline_residents(sessions, tmp_path)
    await answered_before(sessions)
    await plan(sessions, "learned", calendar=AroundTheClock(ZONE))
    for hours in (await call_hours(sessions)).values():
        assert hours == Counter({(TUESDAY, "09:30"): PER_WIJK})


async def test_two_calls_on_one_day_are_never_close_together(sessions, tmp_path):
    """The first call moved to the evening, where residents answer: the second, planned for
    that evening too, waits an hour after the pass that queues it, so till the next morning."""
    ladder = [
        StepSpec(kind="message", day=0, part="first"),
        StepSpec(kind="call", day=1, part="morning"),
        StepSpec(kind="call", day=1, part="evening"),
    ]
    await landline_residents(sessions, tmp_path)
    await answered_before(sessions, {wijk: 19 for wijk in (*BEST_HOUR, "Hoogkerk")})
    await plan(sessions, "learned", ladder=ladder)
    first = (await call_hours(sessions))["Noord"]
    assert first[(TUESDAY, "19:00")] >= PER_WIJK * 0.9
    async with sessions() as session, session.begin():  # every call made, nobody answered
        await session.execute(sa.update(Attempt).values(state=AttemptState.FAILED))
    await plan(sessions, "learned", now=datetime(2026, 3, 3, 19, 10, tzinfo=ZONE), ladder=ladder)
    second = (await call_hours(sessions))["Noord"] - first
    assert sum(second.values()) == PER_WIJK
    later = [when for when in second.elements() if when[0] == TUESDAY]
    assert all(hour >= "20:10" for _, hour in later), second  # none within the hour
    assert second[(TUESDAY + 1, "09:00")] >= PER_WIJK * 0.9
