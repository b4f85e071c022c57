"""What the reach simulation assumes about residents: their numbers, when they pick up, how
they answer messages, and what an agent's call costs. Pure: every chance is drawn from the
random source the caller passes. `docs/reach.md` gives each figure's source, or says that
none was found.
"""

import math
import random
import statistics
from dataclasses import dataclass, field
from datetime import datetime

from followup.rules.call_parts import part_of
from followup.rules.planning_rules import DayPart

PARTS: tuple[DayPart, ...] = ("morning", "afternoon", "evening")


@dataclass(frozen=True)
class Assumptions:
    # Contact details (Boudreaux 2000: 16.1% of numbers wrong, 11.7% disconnected).
    wrong_number: float = 0.161  # someone else's number: rings, but never the resident
    stranger_answers: float = 0.5  # whoever has it now picks up: the agent hears it is wrong
    disconnected: float = 0.117  # the carrier refuses it
    mobile: float = 0.85  # of the numbers: a mobile (the others are landlines)
    email: float = 0.30  # has an e-mail address on file (no source)
    # Picking up. A resident's chance in the part of the day that suits them; the mean is
    # calibrated so that the 2016 practice reaches about 59 of 129 (`docs/reach.md`).
    pick_up_mean: float = 0.47
    pick_up_spread: float = 4.0  # Beta(a, b) with a + b this: many seldom, a few often pick up
    other_part: float = 0.4  # the chance outside their best part, relative to inside it
    # The part of the day that suits them (Weeks et al. 1987: evenings beat daytime).
    best_part: dict[str, float] = field(
        default_factory=lambda: {"morning": 0.25, "afternoon": 0.25, "evening": 0.5}
    )
    announced_lift: float = 1.6  # an announced call (Dal Grande et al. 2016: +60% relative)
    # Answering messages (Hennepin and Boulder County SNAP: texts +2 to +10 pp).
    sms_reply: float = 0.08  # answers an opening or reminder SMS with 1-4
    link_reply: float = 0.06  # answers an e-mail (or an SMS link) on the response page
    part_reply: float = 0.25  # told of a call at a bad time: sends their part (no source)
    # What a call costs an agent, in minutes (no source: the team's own estimate).
    talk_minutes: float = 10.0  # a conversation, with the wrap-up
    no_answer_minutes: float = 1.5  # dialling, ringing out, the result

    def lines(self) -> list[str]:
        """Every assumption, for the output: what the result rests on."""
        return [f"{name} = {value}" for name, value in vars(self).items()]


@dataclass(frozen=True, slots=True)
class Resident:
    number_ok: bool  # False: wrong or disconnected
    disconnected: bool
    mobile: bool
    email: bool
    pick_up: float  # the chance in their best part of the day
    best_part: DayPart


def draw_resident(rng: random.Random, a: Assumptions) -> Resident:
    roll = rng.random()
    disconnected = roll < a.disconnected
    wrong = not disconnected and roll < a.disconnected + a.wrong_number
    alpha = a.pick_up_mean * a.pick_up_spread
    return Resident(
        number_ok=not (disconnected or wrong),
        disconnected=disconnected,
        mobile=rng.random() < a.mobile,
        email=rng.random() < a.email,
        pick_up=rng.betavariate(alpha, a.pick_up_spread - alpha),
        best_part=rng.choices(list(a.best_part), weights=list(a.best_part.values()))[0],
    )


def picks_up(
    resident: Resident, local: datetime, announced: bool, rng: random.Random, a: Assumptions
) -> bool:
    """Whether the resident answers a call at this local moment; `announced`: they were told
    of this call, or chose its part of the day themselves."""
    if not resident.number_ok:
        return False
    suits = part_of(local.time()) == resident.best_part
    chance = resident.pick_up * (1.0 if suits else a.other_part)
    if announced:
        chance *= a.announced_lift
    return rng.random() < min(chance, 1.0)


@dataclass(frozen=True, slots=True)
class Interval:
    mean: float
    low: float
    high: float


# Two-sided 95% quantiles of Student's t, by degrees of freedom (1 to 10; more: normal).
_T95 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228)


def interval(values: list[float]) -> Interval:
    """The mean of the runs (one per seed) and its 95% interval."""
    mean = statistics.fmean(values)
    if len(values) < 2:
        return Interval(mean, mean, mean)
    t = _T95[len(values) - 2] if len(values) - 1 <= len(_T95) else 1.96
    half = t * statistics.stdev(values) / math.sqrt(len(values))
    return Interval(mean, max(mean - half, 0.0), mean + half)
