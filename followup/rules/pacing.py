"""Pacing: how many follow-ups may open per week, in total and per wijk, which wijken are held
and which channels are paused. The municipality works a wijk at a time so the team and the
local organisations are not flooded; due residents wait their turn, oldest due first.

Weeks are local calendar weeks, Monday 00:00 to Monday 00:00. A follow-up opened this week
counts against its week's limits, also one closed at once for lack of contact details: it
is approached like any other (CONTRACT 7) and the coordinator's limit is "how many we
approach per week".
"""

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from followup.rules.domain import Channel

# Far above any team's week, low enough that a typo (an extra zero or three) is caught.
MAX_WEEKLY = 100_000
MAX_WEEKLY_TEXT = f"{MAX_WEEKLY:,}".replace(",", ".")  # as a Dutch reader writes it
MAX_WIJK_NAME = 100  # clients.wijk

Count = Annotated[int, Field(ge=0, le=MAX_WEEKLY)]
Limit = Count | None  # None: no limit


class PacingError(ValueError):
    """A pacing setting that cannot be used; the message is Dutch and names the setting."""


class Pacing(BaseModel):
    """Stored as JSON under its own key: planning rules set from a file leave it alone."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weekly_total: Limit = None
    weekly_per_wijk: Limit = None  # for every wijk without a limit of its own
    wijk_limits: dict[str, Count] = Field(default_factory=dict)
    held_wijken: frozenset[str] = frozenset()
    paused_channels: frozenset[Channel] = frozenset()

    def wijk_limit(self, wijk: str) -> Limit:
        return self.wijk_limits.get(wijk, self.weekly_per_wijk)

    @property
    def paces(self) -> bool:
        """Whether opening follow-ups is limited at all (else the planner opens every due one)."""
        return bool(
            self.weekly_total is not None
            or self.weekly_per_wijk is not None
            or self.wijk_limits
            or self.held_wijken
        )


def week_of(day: date) -> date:
    """The Monday that starts `day`'s week."""
    return day - timedelta(days=day.weekday())


def week_start(day: date, zone: ZoneInfo) -> datetime:
    """Monday 00:00 local time of `day`'s week, in UTC."""
    return datetime.combine(week_of(day), time.min, tzinfo=zone).astimezone(UTC)


def parse_limit(text: str, setting: str) -> Limit:
    """A limit as typed in a form: empty is no limit; otherwise a whole number 0..MAX_WEEKLY."""
    text = text.strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit():
        raise PacingError(f"{setting}: vul een heel getal in (0 of meer), of laat het leeg.")
    value = int(text)
    if value > MAX_WEEKLY:
        raise PacingError(f"{setting}: dat is te veel; het hoogste getal is {MAX_WEEKLY_TEXT}.")
    return value


@dataclass(frozen=True, slots=True)
class Room:
    """How many follow-ups may still open this week: in total, and per wijk (`named` for wijken
    with opens, a limit of their own or a hold; `default` for every other)."""

    total: Limit
    default: Limit
    named: Mapping[str, Limit] = field(default_factory=dict)

    def of(self, wijk: str) -> Limit:
        return self.named.get(wijk, self.default)


def _left(limit: Limit, used: int) -> Limit:
    return None if limit is None else max(limit - used, 0)


def room_this_week(pacing: Pacing, opened: Mapping[str, int]) -> Room:
    """What is left of the week's limits after `opened` (follow-ups opened this week per wijk)."""
    wijken = set(opened) | set(pacing.wijk_limits) | pacing.held_wijken
    named = {
        wijk: 0
        if wijk in pacing.held_wijken
        else _left(pacing.wijk_limit(wijk), opened.get(wijk, 0))
        for wijk in wijken
    }
    return Room(_left(pacing.weekly_total, sum(opened.values())), pacing.weekly_per_wijk, named)


@dataclass(frozen=True, slots=True)
class Waiting:
    """Due residents of one wijk with one due date who have not had their turn yet."""

    wijk: str
    due_on: date
    count: int


@dataclass(frozen=True, slots=True)
class Projection:
    """Per wijk, how many are expected to open in which week (the Monday that starts it), and
    how many not within the horizon (a held wijk, a limit of 0, or a long queue)."""

    weeks: Mapping[str, list[tuple[date, int]]]
    beyond: Mapping[str, int]


def project_openings(
    waiting: Iterable[Waiting],
    pacing: Pacing,
    opened_this_week: Mapping[str, int],
    this_week: date,
    horizon_weeks: int = 52,
) -> Projection:
    """When the residents waiting now are expected to open, if the limits stay as they are and
    the planner runs: this week what is left of its limits, every later week the full limits.
    Residents who become due later are due later, so they queue behind these. Within one due
    date the total limit is shared out by wijk name; the planner uses the order of import."""
    queues: dict[str, deque[list]] = defaultdict(deque)
    for w in sorted(waiting, key=lambda w: (w.wijk, w.due_on)):
        if w.count > 0:
            queues[w.wijk].append([w.due_on, w.count])
    weeks: dict[str, list[tuple[date, int]]] = {wijk: [] for wijk in queues}
    week = this_week
    for index in range(horizon_weeks):
        if not any(queues.values()):
            break
        room = room_this_week(pacing, opened_this_week if index == 0 else {})
        for wijk, taken in _one_week(queues, room).items():
            weeks[wijk].append((week, taken))
        week += timedelta(days=7)
    beyond = {wijk: sum(count for _, count in queue) for wijk, queue in queues.items()}
    return Projection(weeks, {wijk: n for wijk, n in beyond.items() if n})


def _one_week(queues: Mapping[str, deque[list]], room: Room) -> dict[str, int]:
    """Takes this week's turns from the front of the queues: each wijk up to its room, then all
    of them together up to the total, oldest due first. Returns how many per wijk."""
    offers: list[tuple[date, str, int]] = []
    for wijk, queue in queues.items():
        left = room.of(wijk)
        for due_on, count in queue:
            n = count if left is None else min(count, left)
            if n == 0:
                break
            offers.append((due_on, wijk, n))
            if left is not None:
                left -= n
    offers.sort()
    total = room.total
    taken: dict[str, int] = defaultdict(int)
    for _, wijk, n in offers:
        if total is not None:
            n = min(n, total)
            total -= n
        if n == 0:
            break
        taken[wijk] += n
        _take(queues[wijk], n)
    return dict(taken)


def _take(queue: deque[list], n: int) -> None:
    while n:
        head = queue[0]
        used = min(head[1], n)
        head[1] -= used
        n -= used
        if head[1] == 0:
            queue.popleft()
