from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from followup.rules.contact_calendar import ContactCalendar, contact_calendar
from followup.rules.domain import Channel
from followup.rules.planning_rules import PlanningRules

AMS = ZoneInfo("Europe/Amsterdam")
CAL = ContactCalendar(AMS)
RULES = PlanningRules.default()
MESSAGES = RULES.message_window
CALLS = RULES.call_window


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(date(2026, 4, 27), True, id="kings-day"),
        pytest.param(date(2025, 4, 26), True, id="kings-day-moved-off-sunday"),
        pytest.param(date(2026, 4, 6), True, id="easter-monday"),
        pytest.param(date(2026, 5, 14), True, id="ascension"),
        pytest.param(date(2026, 5, 25), True, id="whit-monday"),
        pytest.param(date(2026, 12, 25), True, id="christmas"),
        pytest.param(date(2026, 12, 26), True, id="second-christmas-day"),
        pytest.param(date(2027, 1, 1), True, id="new-year-next-year"),
        pytest.param(date(2026, 4, 28), False, id="day-after-kings-day"),
        pytest.param(date(2026, 5, 5), False, id="liberation-day-not-a-lustrum"),
        pytest.param(date(2026, 12, 24), False, id="christmas-eve"),
    ],
)
def test_is_holiday(day, expected):
    assert CAL.is_holiday(day) is expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(date(2026, 6, 3), True, id="wednesday"),
        pytest.param(date(2026, 6, 6), False, id="saturday"),
        pytest.param(date(2026, 6, 7), False, id="sunday"),
        pytest.param(date(2026, 4, 27), False, id="kings-day-monday"),
        pytest.param(date(2026, 5, 14), False, id="ascension-thursday"),
    ],
)
def test_is_working_day(day, expected):
    assert CAL.is_working_day(day) is expected


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        pytest.param(date(2026, 6, 3), 0, date(2026, 6, 3), id="zero-on-working-day"),
        pytest.param(date(2026, 6, 6), 0, date(2026, 6, 8), id="zero-on-saturday"),
        pytest.param(date(2026, 4, 27), 0, date(2026, 4, 28), id="zero-on-holiday"),
        pytest.param(date(2026, 6, 3), 1, date(2026, 6, 4), id="one-midweek"),
        pytest.param(date(2026, 6, 5), 1, date(2026, 6, 8), id="friday-over-weekend"),
        pytest.param(date(2026, 6, 6), 1, date(2026, 6, 8), id="saturday-plus-one-is-monday"),
        pytest.param(date(2026, 6, 1), 5, date(2026, 6, 8), id="a-full-week"),
        pytest.param(date(2026, 4, 24), 1, date(2026, 4, 28), id="over-kings-day"),
        pytest.param(date(2026, 4, 2), 1, date(2026, 4, 7), id="over-easter"),
        pytest.param(date(2026, 5, 13), 1, date(2026, 5, 15), id="over-ascension"),
        pytest.param(date(2026, 5, 22), 1, date(2026, 5, 26), id="over-whitsun"),
        pytest.param(date(2026, 12, 24), 1, date(2026, 12, 28), id="over-christmas"),
        pytest.param(date(2026, 12, 31), 1, date(2027, 1, 4), id="over-new-year"),
    ],
)
def test_add_working_days(day, n, expected):
    assert CAL.add_working_days(day, n) == expected


def test_add_working_days_refuses_negative():
    with pytest.raises(ValueError, match="negative"):
        CAL.add_working_days(date(2026, 6, 3), -1)


@pytest.mark.parametrize(
    ("day", "wall", "expected"),
    [
        pytest.param(date(2026, 3, 27), time(9), utc(2026, 3, 27, 8), id="before-spring-dst"),
        pytest.param(date(2026, 3, 29), time(9), utc(2026, 3, 29, 7), id="spring-dst-day"),
        pytest.param(date(2026, 3, 30), time(9), utc(2026, 3, 30, 7), id="after-spring-dst"),
        pytest.param(date(2026, 10, 23), time(9), utc(2026, 10, 23, 7), id="before-autumn-dst"),
        pytest.param(date(2026, 10, 25), time(9), utc(2026, 10, 25, 8), id="autumn-dst-day"),
        pytest.param(date(2026, 10, 26), time(9), utc(2026, 10, 26, 8), id="after-autumn-dst"),
        pytest.param(date(2026, 6, 1), time(18, 30), utc(2026, 6, 1, 16, 30), id="summer-evening"),
    ],
)
def test_at_is_local_wall_time_in_utc(day, wall, expected):
    result = CAL.at(day, wall)
    assert result == expected
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        pytest.param(
            utc(2026, 3, 28, 23, 30), date(2026, 3, 29), id="utc-evening-is-local-next-day"
        ),
        pytest.param(utc(2026, 6, 1, 21, 59), date(2026, 6, 1), id="summer-before-midnight"),
        pytest.param(utc(2026, 6, 1, 22, 0), date(2026, 6, 2), id="summer-local-midnight"),
    ],
)
def test_local_date(moment, expected):
    assert CAL.local_date(moment) == expected


def test_naive_moments_are_refused():
    with pytest.raises(ValueError, match="time zone"):
        CAL.next_open(datetime(2026, 6, 1, 10), MESSAGES)


@pytest.mark.parametrize(
    ("moment", "window", "expected"),
    [
        pytest.param(local(2026, 6, 3, 10), MESSAGES, local(2026, 6, 3, 10), id="inside"),
        pytest.param(local(2026, 6, 3, 9), MESSAGES, local(2026, 6, 3, 9), id="at-start"),
        pytest.param(local(2026, 6, 3, 7, 15), MESSAGES, local(2026, 6, 3, 9), id="before-9"),
        pytest.param(
            local(2026, 6, 3, 19, 59, 59), MESSAGES, local(2026, 6, 3, 19, 59, 59), id="last-second"
        ),
        pytest.param(local(2026, 6, 3, 20), MESSAGES, local(2026, 6, 4, 9), id="at-20-closed"),
        pytest.param(local(2026, 6, 6, 11), MESSAGES, local(2026, 6, 6, 11), id="message-saturday"),
        pytest.param(local(2026, 6, 7, 11), MESSAGES, local(2026, 6, 8, 9), id="message-sunday"),
        pytest.param(local(2026, 6, 5, 20), MESSAGES, local(2026, 6, 6, 9), id="friday-20-to-sat"),
        pytest.param(local(2026, 6, 6, 11), CALLS, local(2026, 6, 8, 9), id="call-saturday"),
        pytest.param(local(2026, 6, 5, 20), CALLS, local(2026, 6, 8, 9), id="call-friday-20"),
        pytest.param(local(2026, 4, 27, 10), MESSAGES, local(2026, 4, 28, 9), id="kings-day"),
        pytest.param(local(2026, 4, 27, 10), CALLS, local(2026, 4, 28, 9), id="call-kings-day"),
        pytest.param(local(2026, 12, 24, 20), MESSAGES, local(2026, 12, 28, 9), id="christmas"),
        pytest.param(
            local(2026, 3, 28, 21), MESSAGES, utc(2026, 3, 30, 7), id="saturday-night-over-dst"
        ),
        pytest.param(
            local(2026, 10, 24, 21),
            MESSAGES,
            utc(2026, 10, 26, 8),
            id="saturday-night-over-dst-end",
        ),
    ],
)
def test_next_open(moment, window, expected):
    result = CAL.next_open(moment, window)
    assert result == expected
    assert result.tzinfo is UTC


def test_next_open_of_moment_in_another_zone_uses_local_day():
    # 23:30 UTC on Friday is already Saturday 01:30 in Amsterdam: the call team is closed.
    assert CAL.next_open(utc(2026, 6, 5, 23, 30), CALLS) == local(2026, 6, 8, 9)


@pytest.mark.parametrize(
    ("day", "window", "expected"),
    [
        pytest.param(date(2026, 6, 6), MESSAGES, True, id="message-saturday"),
        pytest.param(date(2026, 6, 7), MESSAGES, False, id="message-sunday"),
        pytest.param(date(2026, 6, 6), CALLS, False, id="call-saturday"),
        pytest.param(date(2026, 6, 8), CALLS, True, id="call-monday"),
        pytest.param(date(2026, 5, 25), MESSAGES, False, id="message-whit-monday"),
        pytest.param(date(2026, 5, 14), CALLS, False, id="call-ascension"),
    ],
)
def test_open_on(day, window, expected):
    assert CAL.open_on(day, window) is expected


def test_next_open_always_lands_inside_window():
    start = local(2026, 3, 20, 0, 7)
    for hours in range(0, 24 * 60, 5):
        moment = start + timedelta(hours=hours)
        for window in (MESSAGES, CALLS):
            result = CAL.next_open(moment, window)
            wall = result.astimezone(AMS)
            assert result >= moment
            assert CAL.open_on(wall.date(), window)
            assert window.start <= wall.time() < window.end


@pytest.mark.parametrize(
    ("moment", "window", "expected"),
    [
        pytest.param(local(2026, 11, 23, 10), MESSAGES, True, id="monday-morning"),
        pytest.param(local(2026, 11, 23, 9), MESSAGES, True, id="opening-minute"),
        pytest.param(local(2026, 11, 23, 8, 59), MESSAGES, False, id="before-opening"),
        pytest.param(local(2026, 11, 23, 20), MESSAGES, False, id="closing-minute"),
        pytest.param(local(2026, 11, 28, 12), MESSAGES, True, id="saturday-messages"),
        pytest.param(local(2026, 11, 28, 12), CALLS, False, id="saturday-no-calls"),
        pytest.param(local(2026, 11, 29, 12), MESSAGES, False, id="sunday"),
        pytest.param(local(2026, 12, 25, 12), MESSAGES, False, id="christmas"),
        pytest.param(utc(2026, 11, 23, 18, 59), CALLS, True, id="utc-19-59-local"),
    ],
)
def test_is_open(moment, window, expected):
    assert CAL.is_open(moment, window) is expected


def test_window_of_a_channel():
    assert RULES.window_of(Channel.CALL) == CALLS
    assert RULES.window_of(Channel.SMS) == RULES.window_of(Channel.EMAIL) == MESSAGES


def test_the_demo_calendar_is_open_day_and_night_every_day():
    demo = contact_calendar(AMS, demo=True)
    for moment in (
        local(2026, 11, 28, 23, 30),  # Saturday night
        local(2026, 11, 29, 4, 0),  # Sunday before dawn
        local(2026, 12, 25, 12, 0),  # Christmas
    ):
        assert demo.is_open(moment, CALLS) and demo.is_open(moment, MESSAGES)
        assert demo.next_open(moment, CALLS) == moment.astimezone(UTC)
    assert demo.add_working_days(date(2026, 11, 28), 1) == date(2026, 11, 29)
    with pytest.raises(ValueError, match="no time zone"):
        demo.next_open(datetime(2026, 11, 28, 23, 30), CALLS)


def test_outside_the_demo_the_windows_keep_their_hours():
    calendar = contact_calendar(AMS, demo=False)
    assert not calendar.always_open
    assert not calendar.is_open(local(2026, 11, 28, 23, 30), MESSAGES)
    assert calendar.next_open(local(2026, 11, 28, 23, 30), CALLS) == local(2026, 11, 30, 9, 0)
