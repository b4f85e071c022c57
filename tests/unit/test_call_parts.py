"""The part of the day a resident wants to be called in: the words, the time it means inside
the call window, where a waiting call moves, and the ladder that honours it."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from followup.rules.call_parts import call_time, chosen_text, moved_call, offered_parts
from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import AttemptPurpose, Channel
from followup.rules.ladder import ContactProfile, plan_round
from followup.rules.planning_rules import PlanningRules, WindowSpec
from followup.rules.sms_replies import Reply, ReplyKind, interpret

ZONE = ZoneInfo("Europe/Amsterdam")
CALENDAR = ContactCalendar(ZONE)
DEFAULT = PlanningRules()
WORKDAYS = ["mon", "tue", "wed", "thu", "fri"]
NINE_TO_FIVE = PlanningRules(
    call_window=WindowSpec(days=WORKDAYS, start=time(9), end=time(17)),
    ladder=[
        {"kind": "message", "day": 0, "part": "first"},
        {"kind": "call", "day": 1, "part": "morning"},
    ],
)
LATE_START = PlanningRules(
    call_window=WindowSpec(days=WORKDAYS, start=time(11), end=time(20)),
    ladder=[
        {"kind": "message", "day": 0, "part": "first"},
        {"kind": "call", "day": 1, "part": "afternoon"},
    ],
)


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("OCHTEND", "morning"),
        ("ochtend", "morning"),
        ("  'S Ochtends ", "morning"),
        ("s morgens", "morning"),
        ("Middag", "afternoon"),
        ("'s  middags", "afternoon"),
        ("AVOND", "evening"),
        ("s avonds", "evening"),
    ],
)
def test_the_words_for_a_part_of_the_day(text, part):
    assert interpret(text) == Reply(ReplyKind.CALL_PART, part=part)


@pytest.mark.parametrize(
    "text", ["morgen", "avond graag", "'s nachts", "na vijven", "ochtend of middag", "nacht"]
)
def test_anything_else_is_read_by_an_agent(text):
    assert interpret(text).kind is ReplyKind.OTHER


@pytest.mark.parametrize(
    ("rules", "part", "expected"),
    [
        (DEFAULT, "morning", time(9, 30)),
        (DEFAULT, "afternoon", time(14)),
        (DEFAULT, "evening", time(18, 30)),
        (NINE_TO_FIVE, "evening", time(16, 30)),  # the latest a call still has room
        (NINE_TO_FIVE, "afternoon", time(14)),
        (LATE_START, "morning", time(11)),  # the earliest the team calls
    ],
)
def test_the_time_a_part_means_inside_the_call_window(rules, part, expected):
    assert call_time(part, rules) == expected


def test_only_the_parts_inside_the_window_are_offered():
    assert offered_parts(DEFAULT) == {
        "morning": "In de ochtend, rond 9.30 uur",
        "afternoon": "In de middag, rond 14.00 uur",
        "evening": "In de avond, rond 18.30 uur",
    }
    assert list(offered_parts(NINE_TO_FIVE)) == ["morning", "afternoon"]
    assert list(offered_parts(LATE_START)) == ["afternoon", "evening"]


def test_the_confirmation_says_when_and_why_it_moved():
    assert chosen_text("morning", DEFAULT) == (
        "Dank u wel. Wij bellen u voortaan in de ochtend, rond 9.30 uur."
    )
    assert chosen_text("morning", LATE_START) == (
        "Dank u wel. In de ochtend bellen wij niet. Wij bellen u voortaan zo dicht mogelijk "
        "daarbij, rond 11.00 uur."
    )


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in the first week of March 2026 (Monday the 2nd), local time."""
    return datetime(2026, 3, day, hour, minute, tzinfo=ZONE)


@pytest.mark.parametrize(
    ("due", "part", "now", "moved"),
    [
        (at(3, 9, 30), "evening", at(2, 12), at(3, 18, 30)),  # the same day, later
        (at(3, 18, 30), "morning", at(2, 12), at(3, 9, 30)),  # the same day, earlier
        (at(2, 18, 30), "morning", at(2, 12), at(3, 9, 30)),  # this morning has passed
        (at(2, 14), "afternoon", at(2, 15), at(3, 14)),  # due already; the hour has passed
        (at(6, 9, 30), "evening", at(6, 19), at(9, 18, 30)),  # Friday evening gone: Monday
        (at(1, 12), "morning", at(2, 8), at(2, 9, 30)),  # overdue: the earliest day is today
    ],
)
def test_a_waiting_call_moves_to_the_part_on_its_day_or_the_next_call_day(due, part, now, moved):
    assert moved_call(due, part, DEFAULT, CALENDAR, now) == moved


PHONE = ContactProfile(can_sms=True, can_call=True, has_email=False)


def test_the_opening_announces_the_first_call():
    planned = plan_round(at(2, 10), PHONE, DEFAULT, CALENDAR)
    first_call = next(p for p in planned if p.channel is Channel.CALL)
    assert planned[0].purpose is AttemptPurpose.OPENING
    assert planned[0].announces == first_call.due_at == at(3, 9, 30)
    assert all(p.announces is None for p in planned[1:])


def test_without_a_call_nothing_is_announced():
    texts_only = ContactProfile(can_sms=True, can_call=False, has_email=False)
    assert all(p.announces is None for p in plan_round(at(2, 10), texts_only, DEFAULT, CALENDAR))


@pytest.mark.parametrize(
    ("part", "clock"), [("morning", (9, 30)), ("afternoon", (14, 0)), ("evening", (18, 30))]
)
def test_every_call_goes_in_the_residents_part_on_its_steps_day(part, clock):
    profile = ContactProfile(can_sms=True, can_call=True, has_email=False, call_part=part)
    planned = plan_round(at(2, 10), profile, DEFAULT, CALENDAR)
    calls = [p.due_at for p in planned if p.channel is Channel.CALL]
    assert calls == [at(3, *clock), at(4, *clock), at(6, *clock)]
    assert planned[0].announces == calls[0]
    # Messages keep their own times.
    assert [p.due_at for p in planned if p.channel is Channel.SMS] == [at(2, 10), at(5, 9, 30)]


def test_no_announcement_when_the_team_does_not_announce_calls():
    rules = PlanningRules(announce_calls=False)
    assert all(p.announces is None for p in plan_round(at(2, 10), PHONE, rules, CALENDAR))
