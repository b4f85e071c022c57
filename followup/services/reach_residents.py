"""The reach simulation's residents and the ways of working it compares
(`services/reach_simulation.py`): who is imported, with which numbers, and under which
planning rules each way of working runs."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dialer.sim.behaviour import destination
from followup.rules.planning_rules import PlanningRules, WindowSpec
from followup.rules.reach_model import Assumptions, Resident, draw_resident

ZONE = ZoneInfo("Europe/Amsterdam")
START = datetime(2027, 9, 6, 8, tzinfo=ZONE)  # a Monday, no holiday in the 44 days after


@dataclass(frozen=True)
class Strategy:
    name: str
    title: str  # in Dutch, for the output
    rules: PlanningRules
    reads_messages: bool = True  # False: nobody reads them (in 2016 there were none)
    link_in_sms: bool = False
    chooses_part: bool = False  # residents answer OCHTEND, MIDDAG or AVOND


_OFFICE_HOURS = WindowSpec(days=["mon", "tue", "wed", "thu", "fri"], start="09:00", end="17:00")
STRATEGIES = {
    s.name: s
    for s in (
        Strategy(
            "2016",
            "De praktijk van 2016: twee belrondes onder kantoortijd, geen berichten",
            PlanningRules(
                call_window=_OFFICE_HOURS,
                ladder=[
                    {"kind": "message", "day": 0, "part": "first"},
                    {"kind": "call", "day": 1, "part": "morning"},
                    {"kind": "call", "day": 2, "part": "afternoon"},
                ],
                announce_calls=False,
            ),
            reads_messages=False,
        ),
        Strategy(
            "today",
            "De belladder van nu: sms, drie keer bellen (ook 's avonds), herinnering",
            PlanningRules(announce_calls=False),
        ),
        Strategy(
            "learned",
            "De belladder van nu, met geleerde beltijden",
            PlanningRules(call_times="learned", announce_calls=False),
        ),
        Strategy(
            "announced",
            "De belladder van nu, met aangekondigd bellen en zelf een tijd kiezen",
            PlanningRules(),
            chooses_part=True,
        ),
        Strategy(
            "full",
            "Alles: geleerde beltijden, aangekondigd bellen, zelf een tijd kiezen, de link in "
            "elke sms",
            PlanningRules(call_times="learned"),
            link_in_sms=True,
            chooses_part=True,
        ),
    )
}


def population(count: int, seed: int, assumptions: Assumptions) -> list[Resident]:
    rng = random.Random(seed)
    return [draw_resident(rng, assumptions) for _ in range(count)]


def resident_number(index: int, resident: Resident) -> str:
    """A number the simulated carrier treats as the resident's is: refused when it is
    disconnected, a mobile or a landline otherwise. None ends in 0001 to 0005."""
    if resident.disconnected:
        return f"06{index % 10_000:04d}0000"
    if resident.mobile:
        return f"06{10_000_000 + index * 10 + 7:08d}"
    return f"050{3_000_000 + index * 10 + 7:07d}"


def e164(number: str) -> str:
    return destination(number).e164 or number


def import_rows(residents: list[Resident], strategy: Strategy) -> list[list[str]]:
    conversation = (START - timedelta(days=200)).date().isoformat()
    return [
        [
            f"S{index}",
            f"Inwoner {index}",
            "Simulatie",
            conversation,
            resident_number(index, resident),
            "",
            f"inwoner{index}@example.org" if resident.email else "",
            "6",
            "",
            "",
            "ja" if strategy.link_in_sms else "nee",
        ]
        for index, resident in enumerate(residents)
    ]
