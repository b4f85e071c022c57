from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from followup.rules.domain import Channel
from followup.rules.pacing import (
    MAX_WEEKLY,
    Pacing,
    PacingError,
    Room,
    Waiting,
    parse_limit,
    project_openings,
    room_this_week,
    week_of,
    week_start,
)

MONDAY = date(2026, 3, 2)
NEXT, AFTER = date(2026, 3, 9), date(2026, 3, 16)
ZONE = ZoneInfo("Europe/Amsterdam")


@pytest.mark.parametrize(
    ("text", "limit"), [("", None), ("  ", None), ("0", 0), (" 250 ", 250), ("100000", 100_000)]
)
def test_a_limit_as_typed(text, limit):
    assert parse_limit(text, "Per week") == limit


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("-1", "heel getal"),
        ("2,5", "heel getal"),
        ("12.0", "heel getal"),
        ("tien", "heel getal"),
        ("²", "heel getal"),
        ("١٢", "heel getal"),  # digits, but not ours
        (str(MAX_WEEKLY + 1), "te veel"),
    ],
)
def test_a_limit_that_is_no_whole_number_or_too_large_names_the_setting(text, says):
    with pytest.raises(PacingError, match=f"^Per week: .*{says}"):
        parse_limit(text, "Per week")


def test_stored_settings_are_checked_too():
    with pytest.raises(ValidationError):
        Pacing.model_validate({"weekly_total": -1})
    with pytest.raises(ValidationError):
        Pacing.model_validate({"paused_channels": ["fax"]})
    with pytest.raises(ValidationError):
        Pacing.model_validate({"wijk_limits": {"Oost": MAX_WEEKLY + 1}})


def test_no_settings_pace_nothing():
    assert not Pacing().paces
    assert not Pacing(paused_channels={Channel.SMS}).paces  # pausing a channel opens all
    assert Pacing(held_wijken={"Oost"}).paces
    assert Pacing(weekly_total=0).paces


def test_weeks_start_on_monday_at_midnight_local_time():
    assert week_of(date(2026, 3, 8)) == MONDAY  # a Sunday
    assert week_of(MONDAY) == MONDAY
    # Winter: UTC+1; summer (after 2026-03-29): UTC+2.
    assert week_start(date(2026, 3, 4), ZONE) == datetime(2026, 3, 1, 23, tzinfo=UTC)
    assert week_start(date(2026, 4, 1), ZONE) == datetime(2026, 3, 29, 22, tzinfo=UTC)


def test_room_is_what_the_week_leaves_with_holds_and_own_limits():
    pacing = Pacing(
        weekly_total=100,
        weekly_per_wijk=30,
        wijk_limits={"Selwerd": 50},
        held_wijken={"Oost"},
    )
    room = room_this_week(pacing, {"Selwerd": 20, "Beijum": 40, "Oost": 5})
    assert room.total == 35
    assert room.of("Selwerd") == 30
    assert room.of("Beijum") == 0  # over its limit: nothing more, never negative
    assert room.of("Oost") == 0  # held
    assert room.of("Vinkhuizen") == 30  # nothing opened there yet


def test_no_limit_leaves_unlimited_room():
    room = room_this_week(Pacing(held_wijken={"Oost"}), {"Selwerd": 500})
    assert room == Room(None, None, {"Selwerd": None, "Oost": 0})


def waiting(*rows: tuple[str, str, int]) -> list[Waiting]:
    return [Waiting(wijk, date.fromisoformat(due), n) for wijk, due, n in rows]


# (waiting, pacing, opened this week) -> expected weeks per wijk, and not within the horizon
PROJECTIONS = [
    pytest.param(
        waiting(("Selwerd", "2026-01-05", 3)),
        Pacing(),
        {},
        {"Selwerd": [(MONDAY, 3)]},
        {},
        id="no limits: everyone this week",
    ),
    pytest.param(
        waiting(("Selwerd", "2026-01-05", 250), ("Selwerd", "2026-01-12", 100)),
        Pacing(weekly_per_wijk=100),
        {"Selwerd": 40},
        {"Selwerd": [(MONDAY, 60), (NEXT, 100), (AFTER, 100), (date(2026, 3, 23), 90)]},
        {},
        id="per wijk: this week what is left, then the full limit",
    ),
    pytest.param(
        waiting(("Beijum", "2026-01-10", 5), ("Selwerd", "2026-01-05", 5)),
        Pacing(weekly_total=6),
        {},
        {"Selwerd": [(MONDAY, 5)], "Beijum": [(MONDAY, 1), (NEXT, 4)]},
        {},
        id="total: oldest due first across wijken",
    ),
    pytest.param(
        waiting(("Oost", "2026-01-05", 5), ("Selwerd", "2026-01-06", 2)),
        Pacing(held_wijken={"Oost"}),
        {},
        {"Oost": [], "Selwerd": [(MONDAY, 2)]},
        {"Oost": 5},
        id="held: never within the horizon, and takes no room",
    ),
    pytest.param(
        waiting(("Selwerd", "2026-01-05", 4), ("Beijum", "2026-01-05", 4)),
        Pacing(weekly_total=10, weekly_per_wijk=1, wijk_limits={"Beijum": 3}),
        {"Beijum": 3},
        {
            "Selwerd": [(MONDAY, 1), (NEXT, 1), (AFTER, 1), (date(2026, 3, 23), 1)],
            "Beijum": [(NEXT, 3), (AFTER, 1)],
        },
        {},
        id="own limit of a wijk, used up this week",
    ),
    pytest.param(
        waiting(("Selwerd", "2026-01-05", 2)),
        Pacing(weekly_total=0),
        {},
        {"Selwerd": []},
        {"Selwerd": 2},
        id="a total of 0 opens nothing",
    ),
]


@pytest.mark.parametrize(("rows", "pacing", "opened", "weeks", "beyond"), PROJECTIONS)
def test_when_the_waiting_are_expected_to_open(rows, pacing, opened, weeks, beyond):
    projection = project_openings(rows, pacing, opened, MONDAY)
    assert projection.weeks == weeks
    assert projection.beyond == beyond


def test_a_long_queue_runs_past_the_horizon():
    projection = project_openings(
        waiting(("Selwerd", "2026-01-05", 10)), Pacing(weekly_per_wijk=1), {}, MONDAY, 4
    )
    assert [n for _, n in projection.weeks["Selwerd"]] == [1, 1, 1, 1]
    assert projection.beyond == {"Selwerd": 6}
