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
        ("\u2019s Avonds", "evening"),  # a phone's curly apostrophe
        ("\u2018s middags", "afternoon"),
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
    # 11.00 is still the morning: offered, at that time.
    assert offered_parts(LATE_START)["morning"] == "In de ochtend, rond 11.00 uur"
    late_morning = PlanningRules(
        call_window=WindowSpec(days=WORKDAYS, start=time(13), end=time(20)),
        ladder=[
            {"kind": "message", "day": 0, "part": "first"},
            {"kind": "call", "day": 1, "part": "afternoon"},
        ],
    )
    assert list(offered_parts(late_morning)) == ["afternoon", "evening"]


def test_the_confirmation_says_when_and_why_it_moved():
    assert chosen_text("morning", DEFAULT) == (
        "Dank u wel. Wij bellen u voortaan in de ochtend, rond 9.30 uur."
    )
    assert chosen_text("morning", LATE_START) == (
        "Dank u wel. Wij bellen u voortaan in de ochtend, rond 11.00 uur."
    )
    assert chosen_text("evening", NINE_TO_FIVE) == (
        "Dank u wel. In de avond bellen wij niet. Wij bellen u voortaan zo dicht mogelijk "
        "daarbij, rond 16.30 uur."
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
        (at(6, 14), "evening", at(7, 10), at(9, 18, 30)),  # asked on Saturday: Monday evening
        (at(6, 14), "morning", at(8, 8), at(9, 9, 30)),  # asked on Sunday: Monday morning
        # King's Day, Tuesday 27 April 2027, is no call day.
        (
            datetime(2027, 4, 26, 18, 30, tzinfo=ZONE),
            "evening",
            datetime(2027, 4, 26, 19, tzinfo=ZONE),
            datetime(2027, 4, 28, 18, 30, tzinfo=ZONE),
        ),
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


def test_a_call_of_a_chosen_part_queued_late_goes_at_that_part_not_at_once():
    """The agents were behind: the second call's day has passed when it is queued."""
    profile = ContactProfile(can_sms=True, can_call=True, has_email=False, call_part="evening")
    late = at(4, 20, 30)  # Wednesday after the evening's call time
    planned = plan_round(at(2, 10), profile, DEFAULT, CALENDAR, not_before=late)
    calls = [p.due_at for p in planned if p.channel is Channel.CALL]
    assert calls[1] == at(5, 18, 30)  # Thursday evening, not at once on a Wednesday night
    # Without a chosen part a late step is due at once, as it always was.
    planned = plan_round(at(2, 10), PHONE, DEFAULT, CALENDAR, not_before=late)
    assert [p.due_at for p in planned if p.channel is Channel.CALL][1] == at(4, 14)
