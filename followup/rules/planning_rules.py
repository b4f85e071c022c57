"""The planning settings coordinators may change: rounds, contact windows and the attempt ladder.

Stored as JSON elsewhere; validation here refuses every setting the planner could not honour, so
the planner itself never has to guess.
"""

import math
from datetime import time
from itertools import pairwise
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from followup.rules.domain import Channel

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DayPart = Literal["morning", "afternoon", "evening"]
StepPart = Literal["first", "morning", "afternoon", "evening"]
CallTimesMode = Literal["fixed", "learned"]

WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WORKING_WEEKDAYS = frozenset(WEEKDAYS[:5])
# "first" sorts before the named parts: it is the window's opening moment.
PART_ORDER: dict[str, int] = {"first": 0, "morning": 1, "afternoon": 2, "evening": 3}

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class WindowSpec(BaseModel):
    """When contacts of one kind may happen: these weekdays, from `start` up to (not at) `end`."""

    model_config = _FROZEN

    days: list[Weekday] = Field(min_length=1)
    start: time
    end: time

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if len(set(self.days)) != len(self.days):
            raise ValueError("days: elke dag mag maar één keer voorkomen")
        if self.end <= self.start:
            raise ValueError(
                f"het einde ({self.end:%H:%M}) moet na het begin ({self.start:%H:%M}) liggen"
            )
        return self

    def contains(self, moment: time) -> bool:
        return self.start <= moment < self.end


class StepSpec(BaseModel):
    """One rung of the ladder: a message or call, `day` working days after the round opens."""

    model_config = _FROZEN

    kind: Literal["message", "call"]
    day: int = Field(ge=0, le=30)
    part: StepPart

    @property
    def sort_key(self) -> tuple[int, int]:
        return (self.day, PART_ORDER[self.part])


def _default_ladder() -> list[StepSpec]:
    return [
        StepSpec(kind="message", day=0, part="first"),  # the opening message
        StepSpec(kind="call", day=1, part="morning"),
        StepSpec(kind="call", day=2, part="afternoon"),
        StepSpec(kind="message", day=3, part="morning"),  # reminder
        StepSpec(kind="call", day=4, part="evening"),
    ]


class PlanningRules(BaseModel):
    model_config = _FROZEN

    rounds: int = Field(default=2, ge=1, le=10)
    round_days: int = Field(default=14, ge=1, le=90)
    round_gap_days: int = Field(default=14, ge=0, le=365)
    message_window: WindowSpec = WindowSpec(
        days=["mon", "tue", "wed", "thu", "fri", "sat"], start=time(9), end=time(20)
    )
    # The call team's hours, evening shift included.
    call_window: WindowSpec = WindowSpec(
        days=["mon", "tue", "wed", "thu", "fri"], start=time(9), end=time(20)
    )
    day_parts: dict[DayPart, time] = Field(
        default_factory=lambda: {
            "morning": time(9, 30),
            "afternoon": time(14),
            "evening": time(18, 30),
        }
    )
    ladder: list[StepSpec] = Field(default_factory=_default_ladder, min_length=1)
    # "fixed": a call goes at its step's day part; "learned": at the hour of that day when
    # residents of the wijk answer most, as the calls so far show (`rules/call_times.py`).
    call_times: CallTimesMode = "fixed"
    # The opening message says when the first call comes and from which number
    # (`rules/call_parts.py`): people pick up an unknown number they expect.
    announce_calls: bool = True
    max_contacts_per_day: int = Field(default=2, ge=1)
    max_contacts_per_week: int = Field(default=5, ge=1)

    @classmethod
    def default(cls) -> "PlanningRules":
        return cls()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        # The planner relies on each of these; a message names the field a coordinator must fix.
        self._check_call_days()
        self._check_day_parts()
        self._check_ladder()
        if self.max_contacts_per_week < self.max_contacts_per_day:
            raise ValueError(
                "max_contacts_per_week moet minstens zo groot zijn als max_contacts_per_day"
            )
        return self

    def _check_call_days(self) -> None:
        if not set(self.call_window.days) <= WORKING_WEEKDAYS:
            raise ValueError("call_window: er wordt alleen gebeld op werkdagen (ma t/m vr)")

    def _check_day_parts(self) -> None:
        missing = set(PART_ORDER) - {"first"} - set(self.day_parts)
        if missing:
            raise ValueError(f"day_parts: {', '.join(sorted(missing))} ontbreekt")
        # Step order is checked by part; it only means time order if the parts are in order.
        if not self.day_parts["morning"] < self.day_parts["afternoon"] < self.day_parts["evening"]:
            raise ValueError(
                "day_parts: morning, afternoon en evening moeten op volgorde van tijd staan"
            )

    def _check_ladder(self) -> None:
        first = self.ladder[0]
        if first.kind != "message" or first.day != 0:
            raise ValueError(
                "ladder: de eerste stap moet het openingsbericht zijn (message, day 0)"
            )
        for index, (before, step) in enumerate(pairwise(self.ladder), start=1):
            if step.sort_key < before.sort_key:
                raise ValueError(f"ladder: stap {index} komt eerder dan stap {index - 1}")
        # Working days stretch over weekends: the last step must still fall inside the round.
        last = max(step.day for step in self.ladder)
        if math.ceil(last * 7 / 5) >= self.round_days:
            raise ValueError(
                f"ladder: de laatste stap (werkdag {last}) valt na het einde van de ronde "
                f"(round_days {self.round_days})"
            )
        for index, step in enumerate(self.ladder):
            if step.part == "first":
                continue
            window_name = "call_window" if step.kind == "call" else "message_window"
            if not self.window_for(step).contains(self.day_parts[step.part]):
                raise ValueError(
                    f"ladder: stap {index} ({step.kind}, {step.part} "
                    f"{self.day_parts[step.part]:%H:%M}) valt buiten {window_name}"
                )

    def window_for(self, step: StepSpec) -> WindowSpec:
        return self.call_window if step.kind == "call" else self.message_window

    def window_of(self, channel: Channel) -> WindowSpec:
        return self.call_window if channel is Channel.CALL else self.message_window
