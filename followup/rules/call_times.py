"""Learned call times: a call goes to the hour of its day when residents of its wijk answer
most, as far as the calls so far show, while the other hours keep getting some calls so that
their estimates stay honest (Thompson sampling).

The answer rate of each local hour of the week is a Beta posterior: the wijk's own calls and
answers on top of a prior from every wijk's counts, so a wijk with few calls borrows from the
others and an hour nobody was called at yet starts at an even chance with little weight. The
calls of one batch are shared out over the hours as often as each hour wins a Thompson draw,
and each call gets its hour by systematic sampling from those shares (a random start, then
equal steps), so a lone resident is as likely to get any hour as its share says. Pure: the
counts, the window, the calendar, the moment and the random source are arguments.

A share of every batch (`EXPLORE`) is spread evenly over the hours whatever the estimates say,
so an hour that looked bad once is still tried and a change in residents' habits is seen.
Known bias, for the simulation to measure: the counts come from whatever ladder was used, so
an hour that the ladder only used for later calls (to residents who had not answered the
first) looks worse than it is.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from random import Random

from followup.rules.contact_calendar import ContactCalendar
from followup.rules.planning_rules import WindowSpec

# How many calls the all-wijken rate of an hour counts for in one wijk's estimate: enough to
# steady a wijk with a handful of calls, little beside one with hundreds.
PRIOR_WEIGHT = 20
# Thompson draws per batch of calls: a share is then known to 1% (unbiased, as each draw is
# one Thompson choice), and a pass over 100,000 calls draws per wijk and day, not per call.
DRAWS = 100
# The share of calls spread evenly over the hours, so that no hour is starved.
EXPLORE = 0.05
# No call within this long of the pass that queues it: the contact before it (a call, the
# opening text) has just ended, as a step is queued once the one before it is done.
AFTER_LAST_CONTACT = timedelta(hours=1)

# Only the calls of the last year count: residents' habits change, and so may the team's.
MONTHS_COUNTED = 12

HourOfWeek = tuple[int, int]  # local weekday (0 Monday) and hour, as `call_answer_counts` keys


@dataclass(frozen=True, slots=True)
class Counts:
    calls: int = 0
    answered: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.calls + other.calls, self.answered + other.answered)


@dataclass(frozen=True)
class AnswerEstimates:
    """Calls and answers so far per wijk and local hour of the week."""

    wijken: Mapping[str, Mapping[HourOfWeek, Counts]] = field(default_factory=dict)
    everyone: Mapping[HourOfWeek, Counts] = field(init=False)

    def __post_init__(self) -> None:
        pooled: defaultdict[HourOfWeek, Counts] = defaultdict(Counts)
        for hours in self.wijken.values():
            for hour, counts in hours.items():
                pooled[hour] += counts
        object.__setattr__(self, "everyone", dict(pooled))

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, int, int, int, int]]) -> "AnswerEstimates":
        """From (wijk, weekday, hour, calls, answered) rows, a wijk's hour in several rows
        (one per month) added up."""
        wijken: defaultdict[str, defaultdict[HourOfWeek, Counts]] = defaultdict(
            lambda: defaultdict(Counts)
        )
        for wijk, weekday, hour, calls, answered in rows:
            wijken[wijk][(weekday, hour)] += Counts(calls, answered)
        return cls({wijk: dict(hours) for wijk, hours in wijken.items()})

    def posterior(self, wijk: str | None, hour: HourOfWeek) -> tuple[float, float]:
        """Beta(alpha, beta) of the answer rate of `wijk` at `hour`: its own counts on a prior
        from the other wijken's."""
        own = self.wijken.get(wijk or "", {}).get(hour, Counts())
        everyone = self.everyone.get(hour, Counts())
        others = Counts(everyone.calls - own.calls, everyone.answered - own.answered)
        weight = min(PRIOR_WEIGHT, others.calls)
        rate = others.answered / others.calls if others.calls else 0.5
        missed = own.calls - own.answered
        return 1 + weight * rate + own.answered, 1 + weight * (1 - rate) + missed

    def expected(self, wijk: str | None, hour: HourOfWeek) -> float:
        alpha, beta = self.posterior(wijk, hour)
        return alpha / (alpha + beta)


def hours_of(
    day: date, window: WindowSpec, earliest: datetime, calendar: ContactCalendar
) -> list[datetime]:
    """The moments a call may be placed on `day` (UTC): the window's opening, then every whole
    hour before its end, none before `earliest` (an hour it falls in starts at `earliest`)."""
    if not calendar.open_on(day, window):
        return []
    starts = [window.start] + [
        time(hour) for hour in range(window.start.hour + 1, 24) if time(hour) < window.end
    ]
    moments = [calendar.at(day, start) for start in starts]
    ends = [*moments[1:], calendar.at(day, window.end)]
    return [
        max(start, earliest) for start, end in zip(moments, ends, strict=True) if end > earliest
    ]


def shares(posteriors: Sequence[tuple[float, float]], draws: int, rng: Random) -> list[float]:
    """How often each hour's sampled answer rate is the highest, as a share of `draws`, with
    `EXPLORE` spread evenly on top."""
    wins = [0] * len(posteriors)
    for _ in range(draws):
        sampled = [rng.betavariate(alpha, beta) for alpha, beta in posteriors]
        wins[sampled.index(max(sampled))] += 1
    even = EXPLORE / len(posteriors)
    return [(1 - EXPLORE) * won / draws + even for won in wins]


@dataclass(frozen=True, slots=True)
class HourShare:
    """Calls at positions `low` <= p < `high` of a batch (p in [0, 1)) are placed at `at`."""

    at: datetime
    low: float
    high: float


def spread(hours: Sequence[datetime], weights: Sequence[float], start: float) -> list[HourShare]:
    """Systematic sampling: the hours' shares laid end to end from `start` (uniform in [0, 1))
    round the unit interval, so the batch's evenly spaced positions fall into each hour as often
    as its weight says. Every position lies in exactly one span: each edge is computed once
    and shared by the spans on either side, and the end wraps to `start` itself."""
    cumulative = list(accumulate(weights))
    edges = [start] + [start + running / cumulative[-1] for running in cumulative]
    end = edges[-1]

    def wrapped(edge: float) -> float:
        return start if edge == end else edge - 1

    spans: list[HourShare] = []
    for at, low, high in zip(hours, edges, edges[1:], strict=False):
        if high <= 1:
            spans.append(HourShare(at, low, high))
        elif low >= 1:
            spans.append(HourShare(at, wrapped(low), wrapped(high)))
        else:
            spans += [HourShare(at, low, 1.0), HourShare(at, 0.0, wrapped(high))]
    return [span for span in spans if span.high > span.low]


@dataclass
class CallTimes:
    """Chooses the hours of one planning pass's calls; remembers the shares of each wijk's
    day, so the groups of a pass that call on the same day draw once between them."""

    estimates: AnswerEstimates
    window: WindowSpec
    calendar: ContactCalendar
    rng: Random
    _shares: dict[tuple[str | None, tuple[datetime, ...]], list[float]] = field(
        default_factory=dict
    )

    def hours_for(
        self, wijk: str | None, due_at: datetime, earliest: datetime, now: datetime
    ) -> list[HourShare]:
        """Where the calls of a batch that the ladder placed at `due_at` go instead, on the same
        day, not before `earliest` nor within `AFTER_LAST_CONTACT` of `now`. With no choice of
        hour left that day, one span: the ladder's time, or if that is too soon, the first
        moment after it that the window is open."""
        day = self.calendar.local_date(due_at)
        not_before = max(earliest, now + AFTER_LAST_CONTACT)
        hours = hours_of(day, self.window, not_before, self.calendar)
        if len(hours) < 2:
            soonest = self.calendar.next_open(not_before, self.window)
            return [HourShare(max(due_at, soonest), 0.0, 1.0)]
        key = (wijk, tuple(hours))
        if key not in self._shares:
            posteriors = [self.estimates.posterior(wijk, self._hour_of_week(at)) for at in hours]
            self._shares[key] = shares(posteriors, DRAWS, self.rng)
        return spread(hours, self._shares[key], self.rng.random())

    def _hour_of_week(self, moment: datetime) -> HourOfWeek:
        local = moment.astimezone(self.calendar.zone)
        return local.weekday(), local.hour


def first_month_counted(today: date) -> str:
    """The earliest month (YYYY-MM) whose calls the estimates use on `today`."""
    months = today.year * 12 + today.month - 1 - (MONTHS_COUNTED - 1)
    return f"{months // 12:04d}-{months % 12 + 1:02d}"
