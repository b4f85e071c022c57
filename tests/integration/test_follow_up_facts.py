"""Each follow-up keeps what the reach report counts by (store/follow_up_facts.py): the wijk it
was done in, its outcome and the channels tried. Triggers keep them on every write path; the
other paths are checked where their own tests run them (planning, SMS replies, wrap-ups, a
year through the service)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import command

from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import (
    Channel,
    OutcomeCategory,
    OutcomeSource,
    ReportGrouping,
    UnreachableReason,
)
from followup.rules.planning_rules import PlanningRules
from followup.services.back_office import record_back_office_outcome
from followup.services.import_clients import import_clients
from followup.services.planning import run_planning_pass
from followup.services.reach_report import ReportFilter, known_wijken, reach_report
from followup.store.engine import create_engine, session_factory
from followup.store.follow_up_facts import CHANNEL_BITS
from followup.store.migrate import alembic_config, upgrade
from followup.store.tables import Attempt, Client, Conversation
from tests.support.files import row, write_csv
from tests.support.follow_up_facts import kept_and_worked_out

ZONE = ZoneInfo("Europe/Amsterdam")
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=ZONE)
PLANNER = OutcomeSource.PLANNER


async def load(sessions, tmp_path, rows, today: date) -> None:
    await import_clients(
        sessions,
        write_csv(tmp_path / f"{today}.csv", rows),
        today=today,
        now=datetime.combine(today, datetime.min.time(), UTC),
        actor="test",
    )


async def test_a_back_office_outcome_and_the_planners_are_kept_on_the_follow_up(sessions, tmp_path):
    await load(
        sessions,
        tmp_path,
        [
            row("A", phone="06-12345678", email="a@example.nl", date="2025-12-01"),
            row("B", phone="", date="2025-12-01"),  # no contact details: closed at once
        ],
        date(2026, 3, 1),
    )
    await run_planning_pass(
        sessions, now=MONDAY, rules=PlanningRules(), calendar=ContactCalendar(ZONE)
    )
    assert {facts[5] for facts in (await kept_and_worked_out(sessions))[0].values()} == {0}
    async with sessions() as session, session.begin():  # the opening SMS went out
        await session.execute(sa.update(Attempt).values(sent_at=MONDAY))
    a = await record_back_office_outcome(
        sessions,
        client_ref="A",
        category=OutcomeCategory.WITH_WIJ,
        reason=None,
        note=None,
        now=MONDAY,
        actor="backoffice@gemeente.example",
    )

    kept, worked_out = await kept_and_worked_out(sessions)
    assert kept == worked_out
    wijk, category, reason, source, _, channels, _ = kept[a]
    assert (wijk, category, reason, source) == (
        "Selwerd",
        OutcomeCategory.WITH_WIJ,
        None,
        OutcomeSource.BACK_OFFICE,
    )
    assert channels == CHANNEL_BITS[Channel.SMS]  # queued, it did not count; sent, it does
    planners = (OutcomeCategory.UNREACHABLE, UnreachableReason.NO_CONTACT_DETAILS, PLANNER)
    assert planners in {facts[1:4] for facts in kept.values()}


async def test_a_follow_up_counts_in_the_wijk_it_was_done_in(sessions, tmp_path):
    rows = [row("A", wijk="Selwerd", date="2025-12-01"), row("B", wijk="Beijum", date="2025-12-01")]
    await load(sessions, tmp_path, rows, date(2026, 3, 1))
    await run_planning_pass(
        sessions, now=MONDAY, rules=PlanningRules(), calendar=ContactCalendar(ZONE)
    )
    # A moves to Paddepoel after the follow-up opened.
    moved = [row("A", wijk="Paddepoel", date="2025-12-01"), rows[1]]
    await load(sessions, tmp_path, moved, date(2026, 3, 3))

    by_wijk = await reach_report(sessions, ReportGrouping.WIJK, ZONE)
    assert [(g.key, g.figures.approached) for g in by_wijk.rows] == [("Beijum", 1), ("Selwerd", 1)]
    in_selwerd = await reach_report(
        sessions, ReportGrouping.ROUND, ZONE, ReportFilter(wijk="Selwerd")
    )
    assert in_selwerd.total.approached == 1
    # Both can be chosen: where A lives now, and where A's follow-up was done.
    assert await known_wijken(sessions) == ["Beijum", "Paddepoel", "Selwerd"]


async def test_the_migration_fills_in_what_the_triggers_keep(empty_db_url, tmp_path):
    """Migration 0009's backfill, run over rows the service wrote, gives every follow-up the
    facts the triggers had kept."""
    engine = create_engine(empty_db_url)
    sessions = session_factory(engine)
    try:
        await upgrade(engine)
        rows = [row("A", date="2025-12-01"), row("B", phone="", date="2025-12-01")]
        await load(sessions, tmp_path, rows, date(2026, 3, 1))
        await run_planning_pass(
            sessions, now=MONDAY, rules=PlanningRules(), calendar=ContactCalendar(ZONE)
        )
        async with sessions() as session, session.begin():  # the opening SMS went out
            await session.execute(sa.update(Attempt).values(sent_at=MONDAY))
        kept, worked_out = await kept_and_worked_out(sessions)
        assert kept == worked_out and {facts[-1] for facts in kept.values()} == {None, 0}

        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0008"))
        await upgrade(engine)
        assert await kept_and_worked_out(sessions) == (kept, worked_out)
    finally:
        await engine.dispose()


async def test_a_conversation_knows_it_was_followed_up_so_the_waiting_are_the_others(
    sessions, tmp_path
):
    await load(
        sessions,
        tmp_path,
        [
            row("A", phone="06-12345678", date="2025-12-01"),  # due in March
            row("B", phone="06-12345679", date="2026-02-01", months="12"),  # due next year
        ],
        date(2026, 3, 1),
    )
    await run_planning_pass(
        sessions, now=MONDAY, rules=PlanningRules(), calendar=ContactCalendar(ZONE)
    )
    async with sessions() as session:
        followed_up = await session.execute(
            sa.select(Client.client_ref, Conversation.followed_up).join(Client)
        )
        assert dict(followed_up.all()) == {"A": True, "B": False}
