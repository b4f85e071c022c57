from datetime import time

import pytest
from pydantic import ValidationError

from followup.rules.planning_rules import PlanningRules, StepSpec

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def settings(**changes) -> dict:
    """The defaults as coordinators would store them (JSON), with some keys changed."""
    return PlanningRules.default().model_dump(mode="json") | changes


def step(kind: str, day: int, part: str) -> dict:
    return {"kind": kind, "day": day, "part": part}


OPENING = step("message", 0, "first")


def test_defaults():
    rules = PlanningRules.default()
    assert rules == PlanningRules()
    assert (rules.rounds, rules.round_days, rules.round_gap_days) == (2, 14, 14)
    assert rules.message_window.days == [*WEEKDAYS, "sat"]
    assert (rules.message_window.start, rules.message_window.end) == (time(9), time(20))
    assert rules.call_window.days == WEEKDAYS
    assert rules.day_parts == {
        "morning": time(9, 30),
        "afternoon": time(14),
        "evening": time(18, 30),
    }
    assert [(s.kind, s.day, s.part) for s in rules.ladder] == [
        ("message", 0, "first"),
        ("call", 1, "morning"),
        ("call", 2, "afternoon"),
        ("message", 3, "morning"),
        ("call", 4, "evening"),
    ]
    assert (rules.max_contacts_per_day, rules.max_contacts_per_week) == (2, 5)


def test_json_round_trip():
    rules = PlanningRules(rounds=3, round_gap_days=0, max_contacts_per_day=1)
    assert PlanningRules.model_validate(rules.model_dump(mode="json")) == rules
    assert PlanningRules.model_validate_json(rules.model_dump_json()) == rules


def test_times_parse_from_strings():
    rules = PlanningRules.model_validate(
        settings(call_window={"days": WEEKDAYS, "start": "08:30", "end": "19:00"})
    )
    assert (rules.call_window.start, rules.call_window.end) == (time(8, 30), time(19))


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"ladder": [OPENING, step("message", 3, "morning")]}, id="messages-only"),
        pytest.param({"ladder": [OPENING]}, id="opening-only"),
        pytest.param({"round_gap_days": 0}, id="no-gap"),
        pytest.param({"max_contacts_per_day": 3, "max_contacts_per_week": 3}, id="week-equals-day"),
        pytest.param(
            {"ladder": [OPENING, step("call", 0, "first"), step("call", 0, "first")]},
            id="equal-steps",
        ),
    ],
)
def test_accepted_settings(changes):
    PlanningRules.model_validate(settings(**changes))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param(
            {"message_window": {"days": WEEKDAYS, "start": "20:00", "end": "09:00"}},
            "message_window",
            id="message-end-before-start",
        ),
        pytest.param(
            {"message_window": {"days": WEEKDAYS, "start": "09:00", "end": "09:00"}},
            "message_window",
            id="message-end-equals-start",
        ),
        pytest.param(
            {"call_window": {"days": WEEKDAYS, "start": "17:00", "end": "08:00"}},
            "call_window",
            id="call-end-before-start",
        ),
        pytest.param(
            {"message_window": {"days": [], "start": "09:00", "end": "20:00"}},
            "message_window",
            id="no-days",
        ),
        pytest.param(
            {"message_window": {"days": ["mon", "mon"], "start": "09:00", "end": "20:00"}},
            "message_window",
            id="duplicate-day",
        ),
        pytest.param(
            {"message_window": {"days": ["monday"], "start": "09:00", "end": "20:00"}},
            "message_window",
            id="unknown-day-name",
        ),
        pytest.param(
            {"call_window": {"days": ["mon", "sat"], "start": "09:00", "end": "20:00"}},
            "call_window",
            id="calls-on-saturday",
        ),
        pytest.param({"rounds": 0}, "rounds", id="rounds-zero"),
        pytest.param({"rounds": 11}, "rounds", id="rounds-too-many"),
        pytest.param({"round_days": 0}, "round_days", id="round-days-zero"),
        pytest.param({"round_gap_days": -1}, "round_gap_days", id="negative-gap"),
        pytest.param({"max_contacts_per_day": 0}, "max_contacts_per_day", id="per-day-zero"),
        pytest.param(
            {"max_contacts_per_day": 3, "max_contacts_per_week": 2},
            "max_contacts_per_week",
            id="week-below-day",
        ),
        pytest.param({"ladder": []}, "ladder", id="empty-ladder"),
        pytest.param({"ladder": [step("call", 0, "first")]}, "ladder", id="first-step-a-call"),
        pytest.param({"ladder": [step("message", 1, "first")]}, "ladder", id="first-step-day-1"),
        pytest.param(
            {"ladder": [OPENING, step("call", 2, "morning"), step("call", 1, "morning")]},
            "ladder",
            id="days-out-of-order",
        ),
        pytest.param(
            {"ladder": [OPENING, step("call", 1, "evening"), step("call", 1, "morning")]},
            "ladder",
            id="parts-out-of-order",
        ),
        pytest.param({"ladder": [OPENING, step("call", 31, "morning")]}, "ladder", id="day-31"),
        pytest.param({"ladder": [OPENING, step("call", 1, "noon")]}, "ladder", id="unknown-part"),
        pytest.param(
            {"call_window": {"days": WEEKDAYS, "start": "09:00", "end": "17:00"}},
            "call_window",
            id="evening-call-outside-call-window",
        ),
        pytest.param(
            {
                "message_window": {"days": WEEKDAYS, "start": "09:00", "end": "18:00"},
                "ladder": [OPENING, step("message", 1, "evening")],
            },
            "message_window",
            id="evening-message-outside-message-window",
        ),
        pytest.param(
            {"day_parts": {"morning": "09:30", "afternoon": "14:00"}},
            "day_parts",
            id="day-part-missing",
        ),
        pytest.param(
            {"day_parts": {"morning": "14:00", "afternoon": "09:30", "evening": "18:30"}},
            "day_parts",
            id="day-parts-out-of-order",
        ),
        pytest.param({"max_contact_per_day": 3}, "max_contact_per_day", id="unknown-key"),
        pytest.param(
            {"call_window": {"days": WEEKDAYS, "start": "09:00", "stop": "20:00"}},
            "stop",
            id="unknown-nested-key",
        ),
    ],
)
def test_impossible_settings_are_refused_naming_the_field(changes, field):
    with pytest.raises(ValidationError) as caught:
        PlanningRules.model_validate(settings(**changes))
    assert any(
        field in ".".join(map(str, error["loc"])) or field in error["msg"]
        for error in caught.value.errors()
    ), caught.value


def test_rules_are_frozen():
    rules = PlanningRules.default()
    with pytest.raises(ValidationError):
        rules.rounds = 3  # type: ignore[misc]
    with pytest.raises(ValidationError):
        rules.ladder[0].day = 1  # type: ignore[misc]


def test_step_sort_key_puts_first_before_named_parts():
    first = StepSpec(kind="message", day=1, part="first")
    morning = StepSpec(kind="message", day=1, part="morning")
    assert first.sort_key < morning.sort_key
