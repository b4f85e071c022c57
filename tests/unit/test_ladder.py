from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import AttemptPurpose, Channel
from followup.rules.ladder import (
    CALL_AFTER_OPENING,
    ContactProfile,
    PlannedAttempt,
    message_channel,
    plan_round,
)
from followup.rules.planning_rules import PlanningRules

AMS = ZoneInfo("Europe/Amsterdam")
CAL = ContactCalendar(AMS)
RULES = PlanningRules.default()

CALL, SMS, EMAIL = Channel.CALL, Channel.SMS, Channel.EMAIL
OPENING, CALLING, REMINDER = AttemptPurpose.OPENING, AttemptPurpose.CALL, AttemptPurpose.REMINDER

MOBILE = ContactProfile(can_sms=True, can_call=True, has_email=False)
LANDLINE = ContactProfile(can_sms=False, can_call=True, has_email=False)
EMAIL_ONLY = ContactProfile(can_sms=False, can_call=False, has_email=True)
NOTHING = ContactProfile(can_sms=False, can_call=False, has_email=False)
EVERYTHING = ContactProfile(can_sms=True, can_call=True, has_email=True)
PREFERS_EMAIL = ContactProfile(can_sms=True, can_call=True, has_email=True, preferred=EMAIL)
PREFERS_CALL = ContactProfile(can_sms=True, can_call=True, has_email=False, preferred=CALL)

MONDAY_MORNING = datetime(2026, 6, 1, 8, tzinfo=AMS)  # a plain week without holidays


def local(moment: datetime) -> datetime:
    return moment.astimezone(AMS)


def rules_with(*steps: tuple[str, int, str], **changes) -> PlanningRules:
    ladder = [{"kind": kind, "day": day, "part": part} for kind, day, part in steps]
    return PlanningRules.model_validate(
        PlanningRules.default().model_dump(mode="json") | {"ladder": ladder} | changes
    )


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        pytest.param(MOBILE, SMS, id="mobile"),
        pytest.param(LANDLINE, None, id="landline-only"),
        pytest.param(EMAIL_ONLY, EMAIL, id="email-only"),
        pytest.param(NOTHING, None, id="nothing"),
        pytest.param(EVERYTHING, SMS, id="sms-before-email"),
        pytest.param(PREFERS_EMAIL, EMAIL, id="preferred-email"),
        pytest.param(
            ContactProfile(True, True, False, preferred=EMAIL), SMS, id="preferred-email-no-address"
        ),
        pytest.param(
            ContactProfile(False, True, True, preferred=SMS), EMAIL, id="preferred-sms-no-mobile"
        ),
        pytest.param(ContactProfile(True, True, True, preferred=CALL), SMS, id="preferred-call"),
    ],
)
def test_message_channel(profile, expected):
    assert message_channel(profile) == expected


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        pytest.param(
            MOBILE,
            [
                (0, SMS, OPENING),
                (1, CALL, CALLING),
                (2, CALL, CALLING),
                (3, SMS, REMINDER),
                (4, CALL, CALLING),
            ],
            id="mobile-only",
        ),
        pytest.param(
            LANDLINE,
            [(1, CALL, CALLING), (2, CALL, CALLING), (4, CALL, CALLING)],
            id="landline-calls-only",
        ),
        pytest.param(EMAIL_ONLY, [(0, EMAIL, OPENING), (3, EMAIL, REMINDER)], id="email-only"),
        pytest.param(NOTHING, [], id="nothing"),
        pytest.param(
            PREFERS_EMAIL,
            [
                (0, EMAIL, OPENING),
                (1, CALL, CALLING),
                (2, CALL, CALLING),
                (3, EMAIL, REMINDER),
                (4, CALL, CALLING),
            ],
            id="preferred-email-with-both",
        ),
    ],
)
def test_profiles_choose_steps_and_channels(profile, expected):
    planned = plan_round(MONDAY_MORNING, profile, RULES, CAL)
    assert [(a.step, a.channel, a.purpose) for a in planned] == expected


def test_default_ladder_on_a_plain_week():
    planned = plan_round(MONDAY_MORNING, MOBILE, RULES, CAL)
    assert [local(a.due_at) for a in planned] == [
        datetime(2026, 6, 1, 9, tzinfo=AMS),  # opening at the window's start
        datetime(2026, 6, 2, 9, 30, tzinfo=AMS),
        datetime(2026, 6, 3, 14, tzinfo=AMS),
        datetime(2026, 6, 4, 9, 30, tzinfo=AMS),
        datetime(2026, 6, 5, 18, 30, tzinfo=AMS),
    ]
    assert all(a.due_at.tzinfo is UTC for a in planned)


def test_each_step_knows_what_it_may_not_go_before():
    """The round's opening for the first step, the step before for the others, and for a call
    straight after the opening text an hour after it."""
    planned = plan_round(MONDAY_MORNING, MOBILE, RULES, CAL)
    assert planned[0].earliest == MONDAY_MORNING.astimezone(UTC)
    assert [a.earliest for a in planned[2:]] == [a.due_at for a in planned[1:-1]]
    assert planned[1].earliest == planned[0].due_at + CALL_AFTER_OPENING
    first_call = plan_round(MONDAY_MORNING, PREFERS_CALL, RULES, CAL)[1]
    assert first_call.earliest == planned[0].due_at + CALL_AFTER_OPENING


@pytest.mark.parametrize(
    ("opened_at", "expected"),
    [
        pytest.param(
            datetime(2026, 3, 28, 21, tzinfo=AMS),
            datetime(2026, 3, 30, 7, tzinfo=UTC),
            id="saturday-21h-to-monday-over-dst",
        ),
        pytest.param(
            datetime(2026, 6, 6, 11, tzinfo=AMS),
            datetime(2026, 6, 6, 11, tzinfo=AMS),
            id="saturday-open",
        ),
        pytest.param(
            datetime(2026, 4, 26, 12, tzinfo=AMS),
            datetime(2026, 4, 28, 9, tzinfo=AMS),
            id="sunday-before-kings-day",
        ),
        pytest.param(
            datetime(2026, 6, 3, 15, 45, tzinfo=AMS),
            datetime(2026, 6, 3, 15, 45, tzinfo=AMS),
            id="inside-window-immediately",
        ),
    ],
)
def test_opening_message_first_moment_in_message_window(opened_at, expected):
    first = plan_round(opened_at, MOBILE, RULES, CAL)[0]
    assert (first.step, first.purpose, first.due_at) == (0, OPENING, expected)


def test_evening_call_is_at_1830_local_across_dst():
    for opened_at in (
        datetime(2026, 10, 21, 10, tzinfo=AMS),
        datetime(2026, 3, 25, 10, tzinfo=AMS),
    ):
        evening = plan_round(opened_at, LANDLINE, RULES, CAL)[-1]
        assert evening.step == 4
        assert local(evening.due_at).time() == time(18, 30)
    # Wednesday 21 October + 4 working days is Tuesday 27 October, in winter time.
    late_october = plan_round(datetime(2026, 10, 21, 10, tzinfo=AMS), LANDLINE, RULES, CAL)[-1]
    assert late_october.due_at == datetime(2026, 10, 27, 17, 30, tzinfo=UTC)


def test_calls_skip_easter():
    # Thursday before Easter: Good Friday and Easter Monday are holidays.
    planned = plan_round(datetime(2026, 4, 2, 10, tzinfo=AMS), MOBILE, RULES, CAL)
    calls = [local(a.due_at).date() for a in planned if a.channel is CALL]
    assert calls == [date(2026, 4, 7), date(2026, 4, 8), date(2026, 4, 10)]


def test_preferred_call_moves_calls_a_working_day_earlier():
    plain = plan_round(datetime(2026, 6, 1, 15, tzinfo=AMS), MOBILE, RULES, CAL)
    preferred = plan_round(datetime(2026, 6, 1, 15, tzinfo=AMS), PREFERS_CALL, RULES, CAL)
    assert [local(a.due_at) for a in plain if a.channel is CALL] == [
        datetime(2026, 6, 2, 9, 30, tzinfo=AMS),
        datetime(2026, 6, 3, 14, tzinfo=AMS),
        datetime(2026, 6, 5, 18, 30, tzinfo=AMS),
    ]
    assert [local(a.due_at) for a in preferred if a.channel is CALL] == [
        datetime(2026, 6, 1, 16, tzinfo=AMS),  # opening day, an hour after the opening message
        datetime(2026, 6, 2, 14, tzinfo=AMS),
        datetime(2026, 6, 4, 18, 30, tzinfo=AMS),
    ]


def test_preferred_call_waits_an_hour_after_opening_message():
    planned = plan_round(MONDAY_MORNING, PREFERS_CALL, RULES, CAL)
    opening, first_call = planned[0], planned[1]
    assert local(opening.due_at) == datetime(2026, 6, 1, 9, tzinfo=AMS)
    # The morning part (09:30) would be only half an hour after the opening message.
    assert first_call.due_at == opening.due_at + timedelta(hours=1)


def test_preferred_call_without_a_phone_changes_nothing():
    no_phone = ContactProfile(can_sms=False, can_call=False, has_email=True, preferred=CALL)
    assert plan_round(MONDAY_MORNING, no_phone, RULES, CAL) == plan_round(
        MONDAY_MORNING, EMAIL_ONLY, RULES, CAL
    )


def test_daily_limit_pushes_third_contact_to_next_day():
    rules = rules_with(("message", 0, "first"), ("call", 0, "morning"), ("call", 0, "afternoon"))
    planned = plan_round(MONDAY_MORNING, MOBILE, rules, CAL)
    assert [local(a.due_at) for a in planned] == [
        datetime(2026, 6, 1, 9, tzinfo=AMS),
        datetime(2026, 6, 1, 10, tzinfo=AMS),
        datetime(2026, 6, 2, 14, tzinfo=AMS),  # at its own part's time on the next day
    ]


def test_daily_limit_skips_days_the_window_is_closed():
    # Friday: opening and a call fill the day; the third contact is a call, so Monday.
    rules = rules_with(("message", 0, "first"), ("call", 0, "morning"), ("call", 0, "evening"))
    planned = plan_round(datetime(2026, 6, 5, 8, tzinfo=AMS), MOBILE, rules, CAL)
    assert local(planned[-1].due_at) == datetime(2026, 6, 8, 18, 30, tzinfo=AMS)


def test_weekly_limit():
    rules = rules_with(
        ("message", 0, "first"),
        *[("call", day, "morning") for day in range(1, 5)],
        max_contacts_per_day=1,
        max_contacts_per_week=3,
    )
    planned = plan_round(datetime(2026, 6, 1, 10, tzinfo=AMS), MOBILE, rules, CAL)
    assert [local(a.due_at).date() for a in planned] == [
        date(2026, 6, 1),
        date(2026, 6, 2),
        date(2026, 6, 3),
        # Thursday and Friday would make 4 in 7 days; Monday 8 June sees only Tue and Wed.
        date(2026, 6, 8),
        date(2026, 6, 9),
    ]


def test_later_step_never_before_earlier_one():
    # Calling a day sooner would put the call before the evening reminder of the same day.
    rules = rules_with(("message", 0, "first"), ("message", 1, "evening"), ("call", 2, "morning"))
    planned = plan_round(MONDAY_MORNING, PREFERS_CALL, rules, CAL)
    assert [a.step for a in planned] == [0, 1, 2]
    assert local(planned[2].due_at) == datetime(2026, 6, 2, 18, 30, tzinfo=AMS)


def test_naive_opening_moment_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        plan_round(datetime(2026, 6, 1, 10), MOBILE, RULES, CAL)


# Openings every 7 hours for 10 weeks over Easter, King's Day, Ascension and Whitsun, plus DST.
SWEEP = [datetime(2026, 3, 20, 0, 13, tzinfo=UTC) + timedelta(hours=7 * i) for i in range(240)]
PROFILES = {
    "mobile": MOBILE,
    "landline": LANDLINE,
    "email-only": EMAIL_ONLY,
    "everything": EVERYTHING,
    "prefers-email": PREFERS_EMAIL,
    "prefers-call": PREFERS_CALL,
}


def _check_invariants(opened_at: datetime, planned: list[PlannedAttempt], rules: PlanningRules):
    dues = [a.due_at for a in planned]
    assert dues == sorted(dues), "due times follow step order"
    assert [a.step for a in planned] == sorted(a.step for a in planned)
    assert all(due >= opened_at for due in dues)
    days = [local(due).date() for due in dues]
    for attempt, day in zip(planned, days, strict=True):
        wall = local(attempt.due_at).time()
        window = rules.call_window if attempt.channel is CALL else rules.message_window
        assert CAL.open_on(day, window) and window.start <= wall < window.end
        if attempt.channel is CALL:
            assert CAL.is_working_day(day)
    for day in days:
        assert days.count(day) <= rules.max_contacts_per_day
        week = [d for d in days if day <= d < day + timedelta(days=7)]
        assert len(week) <= rules.max_contacts_per_week


@pytest.mark.parametrize("profile", PROFILES.values(), ids=PROFILES.keys())
def test_invariants_hold_for_every_opening_moment(profile):
    for opened_at in SWEEP:
        _check_invariants(opened_at, plan_round(opened_at, profile, RULES, CAL), RULES)


def test_invariants_hold_under_tight_limits():
    rules = rules_with(
        ("message", 0, "first"),
        ("call", 0, "first"),
        ("call", 0, "evening"),
        ("message", 1, "morning"),
        ("call", 1, "afternoon"),
        ("call", 2, "morning"),
        max_contacts_per_day=1,
        max_contacts_per_week=2,
    )
    for opened_at in SWEEP[::5]:
        for profile in (MOBILE, PREFERS_CALL):
            planned = plan_round(opened_at, profile, rules, CAL)
            assert len(planned) == 6
            _check_invariants(opened_at, planned, rules)
