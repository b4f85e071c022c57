"""The learned call times as tables: the estimates, the hours a day offers, the Thompson
shares and how a batch of calls is spread over them."""

from datetime import datetime, time
from random import Random
from zoneinfo import ZoneInfo

import pytest

from followup.rules.call_times import (
    AFTER_LAST_CONTACT,
    DRAWS,
    EXPLORE,
    AnswerEstimates,
    CallTimes,
    HourShare,
    first_month_counted,
    hours_of,
    shares,
    spread,
)
from followup.rules.contact_calendar import ContactCalendar
from followup.rules.planning_rules import WindowSpec

AMS = ZoneInfo("Europe/Amsterdam")
CAL = ContactCalendar(AMS)
WINDOW = WindowSpec(days=["mon", "tue", "wed", "thu", "fri"], start=time(9), end=time(20))
TUESDAY = datetime(2026, 3, 3, tzinfo=AMS).date()


def at(hour: int, minute: int = 0, day: int = 3) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=AMS)


@pytest.mark.parametrize(
    ("rows", "wijk", "expected"),
    [
        ([], "Noord", (1, 1)),  # nothing known: an even chance, the weight of two calls
        ([("Noord", 1, 9, 10, 5)], "Noord", (6, 6)),  # own 5 of 10; no other wijk: no prior
        # A wijk without calls borrows the others' rate with the weight of 20 calls.
        ([("Noord", 1, 9, 100, 50)], "Zuid", (11, 11)),
        ([("Noord", 1, 9, 100, 80)], "Zuid", (17, 5)),
        ([("Noord", 1, 9, 10, 8)], "Zuid", (9, 3)),  # fewer than 20: they weigh what they are
        # Its own calls on top of that prior, which leaves its own out.
        ([("Noord", 1, 9, 80, 60), ("Zuid", 1, 9, 20, 0)], "Zuid", (1 + 15, 1 + 5 + 20)),
        # Months add up.
        ([("Noord", 1, 9, 10, 5), ("Noord", 1, 9, 10, 5)], "Noord", (11, 11)),
        # Another hour's calls do not count.
        ([("Noord", 1, 10, 100, 100)], "Noord", (1, 1)),
        ([("Noord", 1, 9, 10, 5)], None, (6, 6)),  # no wijk: the prior alone
    ],
)
def test_posterior_is_own_calls_on_a_prior_from_every_wijk(rows, wijk, expected):
    alpha, beta = AnswerEstimates.from_rows(rows).posterior(wijk, (1, 9))
    assert (alpha, beta) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("window", "earliest", "expected"),
    [
        (WINDOW, at(7), [at(h) for h in range(9, 20)]),
        (WINDOW, at(14, 30), [at(14, 30)] + [at(h) for h in range(15, 20)]),
        (WINDOW, at(19, 59), [at(19, 59)]),
        (WINDOW, at(20), []),
        (
            WindowSpec(days=["tue"], start=time(9, 30), end=time(12)),
            at(7),
            [at(9, 30), at(10), at(11)],
        ),
        (WindowSpec(days=["tue"], start=time(9), end=time(11, 30)), at(7), [at(9), at(10), at(11)]),
        (WindowSpec(days=["mon"], start=time(9), end=time(20)), at(7), []),  # closed on Tuesday
    ],
)
def test_hours_of_a_day_inside_the_window(window, earliest, expected):
    assert hours_of(TUESDAY, window, earliest, CAL) == expected


def test_no_hours_on_a_public_holiday():
    kings_day = datetime(2026, 4, 27, tzinfo=AMS).date()  # a Monday
    assert hours_of(kings_day, WINDOW, at(7, day=1), CAL) == []


def test_shares_follow_the_evidence_and_sum_to_one():
    rng = Random(1)
    clear = shares([(71, 31), (11, 91), (11, 91)], DRAWS, rng)
    assert sum(clear) == pytest.approx(1)
    # All Thompson draws for the first, yet every hour keeps its even part of the exploration.
    assert clear == pytest.approx([1 - EXPLORE + EXPLORE / 3, EXPLORE / 3, EXPLORE / 3])
    even = shares([(1, 1)] * 4, 4000, rng)
    assert all(0.2 < share < 0.3 for share in even), even
    # Uncertain but promising is still tried sometimes: that is what keeps it learning.
    close = shares([(31, 71), (3, 5)], 4000, rng)
    assert 0.05 < close[1] < 0.95, close


A, B, C = at(9), at(10), at(11)


@pytest.mark.parametrize(
    ("weights", "start", "expected"),
    [
        ([0.5, 0.25, 0.25], 0.0, [(A, 0, 0.5), (B, 0.5, 0.75), (C, 0.75, 1.0)]),
        # Shifted by 0.6: the first hour wraps past 1 and becomes two spans.
        ([0.5, 0.25, 0.25], 0.6, [(A, 0.6, 1.0), (A, 0.0, 0.1), (B, 0.1, 0.35), (C, 0.35, 0.6)]),
        ([0.0, 1.0, 0.0], 0.3, [(B, 0.3, 1.0), (B, 0.0, 0.3)]),
        ([2.0, 0.0, 0.0], 0.0, [(A, 0.0, 1.0)]),  # weights need not add up to 1
    ],
)
def test_spread_lays_the_shares_end_to_end_from_the_start(weights, start, expected):
    spans = spread([A, B, C], weights, start)
    assert [(s.at, s.low, s.high) for s in spans] == [
        (moment, pytest.approx(low), pytest.approx(high)) for moment, low, high in expected
    ]


def test_every_position_of_a_batch_is_in_exactly_one_span_and_each_hour_gets_its_share():
    rng = Random(2026)
    hours = [at(h) for h in range(9, 20)]
    for _ in range(3000):
        weights = [rng.choice([0.0, rng.random()]) for _ in hours]
        weights[rng.randrange(len(hours))] += 0.01  # never all zero
        start = rng.choice([rng.random(), 0.0, 0.9999999999999999, 1 - 1e-12])
        spans = spread(hours, weights, start)
        n = rng.randint(1, 400)
        placed = []
        for k in range(1, n + 1):
            found = [s.at for s in spans if s.low <= (k - 0.5) / n < s.high]
            assert len(found) == 1, (weights, start, n, k)
            placed += found
        for hour, weight in zip(hours, weights, strict=True):
            assert abs(placed.count(hour) - n * weight / sum(weights)) <= 1


MONDAY_EVENING = at(20, day=2)  # the pass before a Tuesday call


def best_at_14() -> CallTimes:
    rows = [("Noord", 1, hour, 100, 70 if hour == 14 else 10) for hour in range(9, 20)]
    return CallTimes(AnswerEstimates.from_rows(rows), WINDOW, CAL, Random(5))


def share_of(spans: list[HourShare], moment: datetime) -> float:
    return sum(span.high - span.low for span in spans if span.at == moment)


def test_call_times_choose_the_best_hour_of_the_wijk_on_the_ladders_day():
    times = best_at_14()
    spans = times.hours_for("Noord", at(9, 30), at(7), MONDAY_EVENING)
    assert share_of(spans, at(14)) > 0.9
    assert {span.at for span in spans} == {at(h) for h in range(9, 20)}  # each hour explored
    # Another wijk with no calls of its own borrows Noord's hours.
    assert share_of(times.hours_for("Zuid", at(9, 30), at(7), MONDAY_EVENING), at(14)) > 0.9


@pytest.mark.parametrize(
    ("earliest", "now", "first_hour"),
    [
        # The step before it was due at 15:00 (a call earlier that day): not before then.
        (at(15), MONDAY_EVENING, at(15)),
        # Queued at 12:20, as the call before it just ended: an hour later at the soonest.
        (at(7), at(12, 20), at(13, 20)),
        (at(15), at(12, 20), at(15)),
    ],
)
def test_never_before_the_step_before_nor_right_after_the_last_contact(earliest, now, first_hour):
    spans = best_at_14().hours_for("Noord", at(9, 30), earliest, now)
    assert min(span.at for span in spans) == first_hour
    assert now + AFTER_LAST_CONTACT <= first_hour


def test_no_choice_of_hour_keeps_the_ladder_time():
    times = CallTimes(AnswerEstimates(), WINDOW, CAL, Random(5))
    late = at(19, 45)
    assert times.hours_for("Noord", late, late, MONDAY_EVENING) == [HourShare(late, 0.0, 1.0)]
    # Queued too late in the day for another hour (the call before it was late): not at the
    # ladder's time, which has passed, but when the window opens the next working day.
    assert times.hours_for("Noord", at(9, 30), at(7), at(19, 30)) == [
        HourShare(at(9, day=4), 0.0, 1.0)
    ]


@pytest.mark.parametrize(
    ("today", "first"),
    [
        (datetime(2026, 12, 3).date(), "2026-01"),
        (datetime(2026, 1, 31).date(), "2025-02"),
        (datetime(2027, 11, 1).date(), "2026-12"),
    ],
)
def test_the_estimates_use_the_last_twelve_months(today, first):
    assert first_month_counted(today) == first
