"""Pacing on SQLite and PostgreSQL: the planner opens at most what the week's limits leave,
oldest due first, never in a held wijk; the settings are audited; the waiting are projected."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import AttemptState, AuditAction, Channel
from followup.rules.pacing import Pacing, PacingError
from followup.rules.planning_rules import PlanningRules
from followup.services.import_clients import import_clients
from followup.services.pacing import (
    hold_wijk,
    load_pacing,
    pause_channel,
    set_limits,
    set_wijk_limit,
    tempo_overview,
    waiting_for_turn,
)
from followup.services.planning import run_planning_pass
from followup.store.pacing_queries import ChannelQueue
from followup.store.staff_tables import AuditRecord
from followup.store.tables import Attempt, Client, FollowUp
from tests.support.files import row, write_csv

ZONE = ZoneInfo("Europe/Amsterdam")
CALENDAR = ContactCalendar(ZONE)
NOW = datetime(2026, 3, 1, tzinfo=UTC)

# Due three months after the conversation: S1 on 2026-02-01 is the oldest. S0 has no contact
# details at all (closed at once when its turn comes); imported last, due first of all.
RESIDENTS = [
    row("S1", wijk="Selwerd", date="2025-11-01"),
    row("S2", wijk="Selwerd", date="2025-11-03"),
    row("S3", wijk="Selwerd", date="2025-11-05"),
    row("S4", wijk="Selwerd", date="2025-11-07"),
    row("B1", wijk="Beijum", date="2025-11-02"),
    row("B2", wijk="Beijum", date="2025-11-04"),
    row("B3", wijk="Beijum", date="2025-11-06"),
    row("O1", wijk="Oost", date="2025-11-02"),
    row("S0", wijk="Selwerd", date="2025-10-30", phone=""),
]


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


MONDAY = local("2026-03-02T10:00")


@pytest.fixture
async def residents(sessions, tmp_path):
    await import_clients(
        sessions, write_csv(tmp_path / "r.csv", RESIDENTS), today=NOW.date(), now=NOW, actor="t"
    )
    return sessions


async def plan(sessions, when: datetime):
    return await run_planning_pass(sessions, now=when, rules=PlanningRules(), calendar=CALENDAR)


async def opened(sessions) -> list[str]:
    async with sessions() as session:
        refs = await session.scalars(
            sa.select(Client.client_ref).join(FollowUp).order_by(FollowUp.id)
        )
        return sorted(refs)


async def limits(sessions, total: str = "", per_wijk: str = "") -> None:
    await set_limits(sessions, total=total, per_wijk=per_wijk, now=NOW, actor="coordinator@x.nl")


async def test_without_limits_every_due_resident_opens(residents):
    await plan(residents, MONDAY)
    assert len(await opened(residents)) == len(RESIDENTS)


async def test_per_wijk_oldest_first_and_a_new_week_brings_new_room(residents):
    await limits(residents, per_wijk="2")
    first = await plan(residents, MONDAY)
    # S0 closed at once for lack of contact details, and counts as one of Selwerd's two.
    assert await opened(residents) == ["B1", "B2", "O1", "S0", "S1"]
    assert (first.follow_ups_opened, first.follow_ups_closed) == (5, 1)

    again = await plan(residents, MONDAY)
    assert again.follow_ups_opened == 0  # idempotent
    # Still this week (Sunday evening, local time): no new room.
    assert (await plan(residents, local("2026-03-08T23:59"))).follow_ups_opened == 0
    # Monday 00:00 local time starts the next week (Sunday 23:00 UTC).
    await plan(residents, local("2026-03-09T00:00"))
    assert await opened(residents) == ["B1", "B2", "B3", "O1", "S0", "S1", "S2", "S3"]


async def test_the_total_goes_to_the_oldest_due_across_wijken(residents):
    await limits(residents, total="4")
    await plan(residents, MONDAY)
    assert await opened(residents) == ["B1", "O1", "S0", "S1"]  # due 30/1, 1/2, 2/2, 2/2


async def test_a_wijk_limit_of_its_own_and_the_total_together(residents):
    await limits(residents, total="3", per_wijk="0")
    await set_wijk_limit(residents, "Beijum", "5", now=NOW, actor="c")
    await plan(residents, MONDAY)
    assert await opened(residents) == ["B1", "B2", "B3"]
    await set_wijk_limit(residents, "Beijum", "", now=NOW, actor="c")  # back to per wijk
    assert (await load_pacing(residents)).wijk_limits == {}


async def test_a_held_wijk_waits_until_it_is_released(residents):
    await hold_wijk(residents, "Selwerd", held=True, now=NOW, actor="c")
    await plan(residents, MONDAY)
    assert await opened(residents) == ["B1", "B2", "B3", "O1"]
    turns = await waiting_for_turn(residents, MONDAY.date(), ZONE)
    selwerd = next(w for w in turns.wijken if w.wijk == "Selwerd")
    assert (selwerd.waiting, selwerd.held, selwerd.beyond, selwerd.last_week) == (5, True, 5, None)

    await hold_wijk(residents, "Selwerd", held=False, now=NOW, actor="c")
    await plan(residents, local("2026-03-02T10:05"))
    assert len(await opened(residents)) == len(RESIDENTS)


async def test_who_waits_and_when_they_are_expected(residents):
    await limits(residents, total="3", per_wijk="2")
    await plan(residents, MONDAY)  # S0, S1 (Selwerd's two) and B1
    turns = await waiting_for_turn(residents, MONDAY.date(), ZONE)
    assert (turns.this_week, turns.opened_this_week, turns.waiting) == (date(2026, 3, 2), 3, 6)
    by_wijk = {w.wijk: w for w in turns.wijken}
    assert list(by_wijk) == ["Beijum", "Oost", "Selwerd"]
    assert (by_wijk["Selwerd"].waiting, by_wijk["Selwerd"].opened_this_week) == (3, 2)
    # Next week O1, S2 and B2 (due 2/2, 3/2 and 4/2), the week after B3, S3 and S4.
    assert by_wijk["Oost"].schedule == [(date(2026, 3, 9), 1)]
    assert by_wijk["Beijum"].schedule == [(date(2026, 3, 9), 1), (date(2026, 3, 16), 1)]
    assert by_wijk["Selwerd"].schedule == [(date(2026, 3, 9), 1), (date(2026, 3, 16), 2)]
    assert by_wijk["Selwerd"].last_week == date(2026, 3, 16)

    # The planner does what was expected.
    await plan(residents, local("2026-03-09T10:00"))
    assert set(await opened(residents)) >= {"B2", "O1", "S2"}
    assert len(await opened(residents)) == 6


async def test_changes_are_audited_and_bad_ones_change_nothing(residents):
    await limits(residents, total="250")
    await limits(residents, total="250")  # no change: no record
    await hold_wijk(residents, "Oost", held=True, now=NOW, actor="c")
    await pause_channel(residents, "sms", paused=True, now=NOW, actor="c")
    for bad in (
        lambda: limits(residents, total="-3"),
        lambda: limits(residents, per_wijk="veel"),
        lambda: hold_wijk(residents, "Atlantis", held=True, now=NOW, actor="c"),
        lambda: set_wijk_limit(residents, "Atlantis", "3", now=NOW, actor="c"),
        lambda: pause_channel(residents, "fax", paused=True, now=NOW, actor="c"),
    ):
        with pytest.raises(PacingError):
            await bad()
    assert await load_pacing(residents) == Pacing(
        weekly_total=250, held_wijken={"Oost"}, paused_channels={Channel.SMS}
    )
    async with residents() as session:
        records = (
            await session.execute(
                sa.select(AuditRecord.action, AuditRecord.detail)
                .where(AuditRecord.action != AuditAction.CLIENTS_IMPORTED)
                .where(AuditRecord.action != AuditAction.CLIENTS_WRITTEN)
                .order_by(AuditRecord.id)
            )
        ).all()
    assert [(a, d) for a, d in records] == [
        (
            AuditAction.PACING_LIMITS_CHANGED,
            {
                "weekly_total": 250,
                "weekly_per_wijk": None,
                "before": {"weekly_total": None, "weekly_per_wijk": None},
            },
        ),
        (AuditAction.WIJK_HELD, {"wijk": "Oost", "before": {"held_wijken": []}}),
        (AuditAction.CHANNEL_PAUSED, {"channel": "sms", "before": {"paused_channels": []}}),
    ]


async def test_the_queue_per_channel(residents):
    await plan(residents, MONDAY)
    async with residents() as session, session.begin():
        first = await session.scalar(sa.select(sa.func.min(Attempt.id)))
        await session.execute(
            sa.update(Attempt).where(Attempt.id == first).values(state=AttemptState.SENDING)
        )
        await session.execute(
            sa.update(Attempt)
            .where(Attempt.id != first)
            .where(Attempt.follow_up_id % 2 == 0)
            .values(due_at=local("2026-03-04T10:00"))
        )
        expected = (
            await session.scalar(
                sa.select(sa.func.count()).where(Attempt.state == AttemptState.QUEUED)
            ),
        )
    queues = (await tempo_overview(residents, MONDAY, ZONE)).queues
    assert set(queues) == set(Channel)
    sms = queues[Channel.SMS]
    assert sms.sending == 1
    assert (sms.due_now + sms.due_later,) == expected
    assert sms.due_later > 0 and sms.due_now > 0
    assert queues[Channel.EMAIL] == ChannelQueue()
