"""The planning settings as the page `/planning` shows and sends them.

Form fields are named by the setting's path in the JSON that `followup planning show` prints
(`round_days`, `call_window.start`, `ladder.2.part`), so a posted form turns into the same
document the CLI checks, with the same rules and messages. The Dutch name of each setting lives
here only: the page's labels and the messages it shows both come from `LABELS`.
"""

import re
from collections.abc import Mapping
from typing import Any

from followup.rules.planning_rules import PART_ORDER, WEEKDAYS, PlanningRules

# Setting (a key of the JSON document, or a value it can hold) -> its name on the page.
LABELS = {
    "rounds": "aantal rondes",
    "round_days": "lengte van een ronde",
    "round_gap_days": "dagen tussen twee rondes",
    "message_window": "tijden voor berichten",
    "call_window": "beltijden",
    "days": "dagen",
    "start": "vanaf",
    "end": "tot",
    "day_parts": "dagdelen",
    "ladder": "belladder",
    "kind": "soort",
    "day": "werkdag",
    "part": "moment",
    "message": "bericht",
    "call": "telefoongesprek",
    "first": "meteen",
    "morning": "ochtend",
    "afternoon": "middag",
    "evening": "avond",
    "max_contacts_per_day": "hoogstens contacten per dag",
    "max_contacts_per_week": "hoogstens contacten per week",
    "call_times": "tijd van het bellen",
    "fixed": "vast",
    "learned": "geleerd",
    "announce_calls": "bellen aankondigen",
}
WEEKDAY_LABELS = dict(
    zip(
        WEEKDAYS,
        ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
        strict=True,
    )
)
NUMBERS = (
    "rounds",
    "round_days",
    "round_gap_days",
    "max_contacts_per_day",
    "max_contacts_per_week",
)
WINDOWS = ("message_window", "call_window")
DAY_PARTS = tuple(part for part in PART_ORDER if part != "first")
KINDS = ("message", "call")
STEP_PARTS = tuple(PART_ORDER)
NEW_STEPS = 2  # empty rows under the ladder: a step is added by filling one in
MAX_STEPS = 40  # more rows than any ladder needs are not read

_STEP_FIELD = re.compile(r"ladder\.([0-9]{1,3})\.kind")  # a forged index of 5,000 digits is no row
# A setting's path or name in a message: `ladder.2.day`, `call_window`, `evening`.
_NAME = re.compile(r"\b[a-z_]+(?:\.[a-z0-9_]+)*\b")


def form_of(rules: PlanningRules) -> dict[str, Any]:
    """The rules as the form shows them: the JSON document, times as HH:MM."""
    document = rules.model_dump(mode="json")
    for name in WINDOWS:
        window = getattr(rules, name)
        document[name] |= {"start": f"{window.start:%H:%M}", "end": f"{window.end:%H:%M}"}
    document["day_parts"] = {part: f"{moment:%H:%M}" for part, moment in rules.day_parts.items()}
    return document


def settings_from(form: Mapping[str, Any]) -> dict[str, Any]:
    """The document a posted form describes, its values as typed. A ladder row that is empty
    or marked to remove is left out; the others are put in order of day and moment when
    every day is a number (otherwise the rules' check names the row)."""

    def text(name: str) -> str:
        return str(form.get(name, "")).strip()

    document: dict[str, Any] = {name: text(name) for name in NUMBERS}
    for window in WINDOWS:
        document[window] = {
            "days": [day for day in WEEKDAYS if f"{window}.days.{day}" in form],
            "start": text(f"{window}.start"),
            "end": text(f"{window}.end"),
        }
    document["day_parts"] = {part: text(f"day_parts.{part}") for part in DAY_PARTS}
    document["call_times"] = text("call_times")
    document["announce_calls"] = text("announce_calls")
    rows = sorted(int(found[1]) for name in form if (found := _STEP_FIELD.fullmatch(name)))
    steps = []
    for row in rows[:MAX_STEPS]:
        step = {field: text(f"ladder.{row}.{field}") for field in ("kind", "day", "part")}
        if f"ladder.{row}.remove" not in form and any(step.values()):
            steps.append(step)
    # ASCII digits only: "²" is a digit to isdigit() but not to int().
    if all(
        re.fullmatch(r"[0-9]{1,3}", step["day"]) and step["part"] in PART_ORDER for step in steps
    ):
        steps.sort(key=lambda step: (int(step["day"]), PART_ORDER[step["part"]]))
    document["ladder"] = steps
    return document


def in_words(problem: str) -> str:
    """A problem as the rules describe it, with each setting called by its name on the page:
    `ladder.2.day: …` becomes `Belladder, stap 2, werkdag: …`."""

    def named(found: re.Match[str]) -> str:
        parts = found[0].split(".")
        if not all(part in LABELS or part.isdigit() for part in parts):
            return found[0]
        return ", ".join(f"stap {part}" if part.isdigit() else LABELS[part] for part in parts)

    worded = _NAME.sub(named, problem)
    return worded[:1].upper() + worded[1:]
