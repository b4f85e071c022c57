"""The attempt ladder of one round: which channel each step uses and when it is due."""

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from followup.rules.call_parts import call_time, moved_call
from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import AttemptPurpose, Channel
from followup.rules.planning_rules import DayPart, PlanningRules, StepSpec

# Time for the resident to read the opening message before the phone rings.
CALL_AFTER_OPENING = timedelta(hours=1)


@dataclass(frozen=True)
class ContactProfile:
    """What the resident's contact details allow (opt-outs and invalid numbers already removed)."""

    can_sms: bool
    can_call: bool
    has_email: bool
    preferred: Channel | None = None
    call_part: DayPart | None = None  # the part of the day the resident asked to be called in


@dataclass(frozen=True)
class PlannedAttempt:
    step: int  # index in `PlanningRules.ladder`; the store keys attempts by (round, step)
    channel: Channel
    purpose: AttemptPurpose
    due_at: datetime  # UTC
    earliest: datetime  # UTC; it may not go before: the step before it, a call's opening text
    announces: datetime | None = None  # an opening message: when it says the first call comes


def message_channel(profile: ContactProfile) -> Channel | None:
    """CONTRACT section 4: e-mail if preferred and available, else SMS, else e-mail."""
    if profile.preferred is Channel.EMAIL and profile.has_email:
        return Channel.EMAIL
    if profile.can_sms:
        return Channel.SMS
    if profile.has_email:
        return Channel.EMAIL
    return None


def plan_round(
    opened_at: datetime,
    profile: ContactProfile,
    rules: PlanningRules,
    calendar: ContactCalendar,
    not_before: datetime | None = None,
) -> list[PlannedAttempt]:
    """Every ladder step the profile allows, placed in its window and within the contact limits.

    Due times never decrease with the step index, so the result is also in due order. A
    resident's own part of the day moves each call to that part's time, on the step's day;
    an opening message with a call after it announces that call (`announce_calls`). Such a
    call queued late (`not_before`, the pass's moment) moves to the next time of that part.
    """
    opening_day = calendar.local_date(opened_at)
    opened_at = opened_at.astimezone(UTC)
    text_channel = message_channel(profile)
    calls_first = profile.preferred is Channel.CALL and profile.can_call
    planned: list[PlannedAttempt] = []
    opening_due: datetime | None = None
    for index, step in enumerate(rules.ladder):
        if step.kind == "call":
            if not profile.can_call:
                continue
            channel, purpose = Channel.CALL, AttemptPurpose.CALL
        else:
            if text_channel is None:
                continue
            channel = text_channel
            purpose = AttemptPurpose.OPENING if index == 0 else AttemptPurpose.REMINDER
        earliest = planned[-1].due_at if planned else opened_at
        if step.kind == "call" and opening_due is not None:
            earliest = max(earliest, opening_due + CALL_AFTER_OPENING)
        day = _step_day(step, opening_day, calls_first, calendar)
        due = _place(
            step,
            _part_time(step, profile, rules),
            day,
            earliest,
            [calendar.local_date(a.due_at) for a in planned],
            calendar,
            rules,
        )
        if channel is Channel.CALL and profile.call_part and not_before and due < not_before:
            # A step queued late: not at once, at any hour, but at the resident's time.
            due = moved_call(due, profile.call_part, rules, calendar, not_before)
        if purpose is AttemptPurpose.OPENING:
            opening_due = due
        planned.append(PlannedAttempt(index, channel, purpose, due, earliest))
    return _announced(planned) if rules.announce_calls else planned


def _announced(planned: list[PlannedAttempt]) -> list[PlannedAttempt]:
    """The opening message says when the first call comes, if one follows it."""
    first_call = next((a for a in planned if a.channel is Channel.CALL), None)
    if first_call is None or planned[0].purpose is not AttemptPurpose.OPENING:
        return planned
    return [replace(planned[0], announces=first_call.due_at), *planned[1:]]


def _part_time(step: StepSpec, profile: ContactProfile, rules: PlanningRules) -> time | None:
    """The time of day the step aims at; None for "first", the window's first open moment."""
    if step.kind == "call" and profile.call_part is not None:
        return call_time(profile.call_part, rules)
    return None if step.part == "first" else rules.day_parts[step.part]


def _step_day(
    step: StepSpec, opening_day: date, calls_first: bool, calendar: ContactCalendar
) -> date:
    if step.kind == "call":
        # A resident who prefers the phone is called a working day sooner than the ladder says.
        return calendar.add_working_days(
            opening_day, max(step.day - 1, 0) if calls_first else step.day
        )
    if step.day == 0:
        # Messages may go out on any day their window allows, e.g. a Saturday opening.
        return opening_day
    return calendar.add_working_days(opening_day, step.day)


def _place(
    step: StepSpec,
    part_time: time | None,
    day: date,
    earliest: datetime,
    taken: list[date],
    calendar: ContactCalendar,
    rules: PlanningRules,
) -> datetime:
    window = rules.window_for(step)
    if part_time is None:  # "first": the first open moment of the day, searched from midnight
        start, part_time = calendar.at(day, time.min), window.start
    else:
        start = calendar.at(day, part_time)
    due = calendar.next_open(max(start, earliest), window)
    while not _within_limits(calendar.local_date(due), taken, rules):
        # Over a limit: the next day the window opens, at the step's own time of day.
        tomorrow = calendar.at(calendar.local_date(due) + timedelta(days=1), time.min)
        open_day = calendar.local_date(calendar.next_open(tomorrow, window))
        due = calendar.next_open(calendar.at(open_day, part_time), window)
    return due


def _within_limits(day: date, taken: list[date], rules: PlanningRules) -> bool:
    """Whether one more contact fits on `day`. Earlier attempts never lie after it, so the
    busiest run of 7 days that holds `day` is the one ending on it."""
    week_start = day - timedelta(days=6)
    return (
        taken.count(day) < rules.max_contacts_per_day
        and sum(week_start <= d <= day for d in taken) < rules.max_contacts_per_week
    )
