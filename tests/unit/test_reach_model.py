"""The reach simulation's residents: the shares they are drawn in, when they pick up, the
calibration against 2016, and the interval over seeds."""

import random
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from followup.rules.call_parts import part_of
from followup.rules.reach_model import (
    Assumptions,
    Resident,
    draw_resident,
    interval,
    picks_up,
)

ZONE = ZoneInfo("Europe/Amsterdam")
A = Assumptions()


def test_residents_are_drawn_in_the_assumed_shares():
    rng = random.Random(1)
    drawn = [draw_resident(rng, A) for _ in range(20_000)]
    share = lambda test: sum(map(test, drawn)) / len(drawn)  # noqa: E731
    assert share(lambda r: r.disconnected) == pytest.approx(A.disconnected, abs=0.01)
    assert share(lambda r: not r.number_ok and not r.disconnected) == pytest.approx(
        A.wrong_number, abs=0.01
    )
    assert share(lambda r: r.email) == pytest.approx(A.email, abs=0.01)
    assert share(lambda r: r.best_part == "evening") == pytest.approx(0.5, abs=0.01)
    assert sum(r.pick_up for r in drawn) / len(drawn) == pytest.approx(A.pick_up_mean, abs=0.01)


@pytest.mark.parametrize(
    ("hour", "part"),
    [
        (9, "morning"),
        (11, "morning"),
        (12, "afternoon"),
        (16, "afternoon"),
        (17, "evening"),
        (20, "evening"),
    ],
)
def test_the_part_of_the_day(hour, part):
    assert part_of(datetime(2027, 3, 2, hour, 30, tzinfo=ZONE).time()) == part


def chance(resident: Resident, hour: int, announced: bool) -> float:
    rng = random.Random(3)
    moment = datetime(2027, 3, 2, hour, tzinfo=ZONE)
    return sum(picks_up(resident, moment, announced, rng, A) for _ in range(20_000)) / 20_000


EVENING_PERSON = Resident(True, False, True, False, pick_up=0.5, best_part="evening")


@pytest.mark.parametrize(
    ("resident", "hour", "announced", "expected"),
    [
        (EVENING_PERSON, 19, False, 0.5),
        (EVENING_PERSON, 10, False, 0.5 * A.other_part),
        (EVENING_PERSON, 10, True, 0.5 * A.other_part * A.announced_lift),
        (EVENING_PERSON, 19, True, min(0.5 * A.announced_lift, 1.0)),
        (Resident(False, False, True, False, pick_up=0.9, best_part="morning"), 10, True, 0.0),
    ],
)
def test_when_a_resident_picks_up(resident, hour, announced, expected):
    assert chance(resident, hour, announced) == pytest.approx(expected, abs=0.015)


def test_the_2016_practice_reaches_about_59_of_129():
    """Two rounds of two calls, a morning and an afternoon, no messages: the calibration."""
    rng = random.Random(2016)
    reached = 0.0
    count = 40_000
    for _ in range(count):
        r = draw_resident(rng, A)
        if r.number_ok:
            p = {
                part: r.pick_up * (1 if part == r.best_part else A.other_part)
                for part in ("morning", "afternoon")
            }
            reached += 1 - ((1 - p["morning"]) * (1 - p["afternoon"])) ** 2
    assert reached / count == pytest.approx(59 / 129, abs=0.015)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([0.5], (0.5, 0.5, 0.5)),
        ([0.4, 0.6], (0.5, 0.0, 1.7706)),  # t(1) = 12.706: two runs say little
        ([0.45, 0.5, 0.55], (0.5, 0.5 - 0.1242, 0.5 + 0.1242)),
    ],
)
def test_the_interval_over_seeds(values, expected):
    found = interval(values)
    assert (found.mean, found.low, found.high) == pytest.approx(expected, abs=1e-3)
