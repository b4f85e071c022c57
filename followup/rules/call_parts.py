"""The part of the day a resident wants to be called in: the words they may send, and the
time a call then goes at.

Residents who do not pick up an unknown number often do when they know the call is coming
and when. So the opening message announces the first call (`rules/client_messages.py`),
and a resident may answer OCHTEND, MIDDAG or AVOND, or choose on the response page. From
then on every call of theirs goes at that part's time of the planning settings, moved into
the call window when the team does not call that early or that late.
"""

from datetime import datetime, time, timedelta

from followup.dutch import clock
from followup.rules.contact_calendar import ContactCalendar
from followup.rules.planning_rules import DayPart, PlanningRules

DAYS_SEARCHED = 366
# A call needs room before the window closes: the latest a chosen call may start.
ROOM_BEFORE_CLOSING = timedelta(minutes=30)

# What the resident sends or reads, by part: the words case-folded, spaces collapsed.
PART_WORDS: dict[str, DayPart] = {
    **dict.fromkeys(("ochtend", "'s ochtends", "s ochtends", "'s morgens", "s morgens"), "morning"),
    **dict.fromkeys(("middag", "'s middags", "s middags"), "afternoon"),
    **dict.fromkeys(("avond", "'s avonds", "s avonds"), "evening"),
}
PART_NAMES: dict[DayPart, str] = {
    "morning": "in de ochtend",
    "afternoon": "in de middag",
    "evening": "in de avond",
}
CHOOSE_A_PART = "Past een ander moment beter? Stuur OCHTEND, MIDDAG of AVOND."


def part_of(moment: time) -> DayPart:
    """The part of the day a time of day falls in: before 12, before 17, after."""
    if moment.hour < 12:
        return "morning"
    return "afternoon" if moment.hour < 17 else "evening"


def call_time(part: DayPart, rules: PlanningRules) -> time:
    """The part's time in the planning settings, or the nearest time inside the call window
    that still leaves room for the call."""
    window = rules.call_window
    latest = (datetime.combine(datetime.min, window.end) - ROOM_BEFORE_CLOSING).time()
    return min(max(rules.day_parts[part], window.start), max(latest, window.start))


def offered_parts(rules: PlanningRules) -> dict[DayPart, str]:
    """The parts the team calls in, as the response page offers them: "In de ochtend, rond
    9.30 uur". A part the call window leaves no time in is not offered (by SMS, a call
    moves to the nearest time the team calls)."""
    return {
        part: f"{PART_NAMES[part].capitalize()}, rond {clock(at)} uur"
        for part in rules.day_parts
        if part_of(at := call_time(part, rules)) == part
    }


def chosen_text(part: DayPart, rules: PlanningRules) -> str:
    """The confirmation of a choice: when we call from now on, and, when that is not the
    part the resident asked for, why."""
    at = call_time(part, rules)
    if part_of(at) == part:
        return f"Dank u wel. Wij bellen u voortaan {PART_NAMES[part]}, rond {clock(at)} uur."
    return (
        f"Dank u wel. {PART_NAMES[part].capitalize()} bellen wij niet. Wij bellen u voortaan "
        f"zo dicht mogelijk daarbij, rond {clock(at)} uur."
    )


def moved_call(
    due_at: datetime,
    part: DayPart,
    rules: PlanningRules,
    calendar: ContactCalendar,
    now: datetime,
) -> datetime:
    """A call already queued, or due already, moved to the resident's part of the day: that
    time on the day it was due, or, once that has passed, on the next day the team calls."""
    at, window = call_time(part, rules), rules.call_window
    day = calendar.local_date(max(due_at, now))
    for _ in range(DAYS_SEARCHED):
        if calendar.open_on(day, window) and (moment := calendar.at(day, at)) >= now:
            return calendar.next_open(moment, window)
        day += timedelta(days=1)
    raise ValueError(f"the call window {window} does not open within {DAYS_SEARCHED} days")
