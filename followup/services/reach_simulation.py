"""Use case: play a made-up population through the service on a fast clock, to see what a
way of working does to reach before trying it on real people (`followup simulate`).

The residents (`rules/reach_model.py`) are imported from a file like real ones, into a
database of the run's own. Then, hour by hour over two rounds, the real planner plans, the
real dialer claims and renders what is due, the simulated carrier's rules decide what
becomes of each number (`dialer.sim.behaviour`), and the carrier's reports and the
residents' answers go through the same use cases as the webhooks. Residents decide by the
model: whether they pick up, answer a text, or ask for another time of day.

Two things are simplified, and `docs/reach.md` says so: the call team is always there (a
call due is made at once, so staffing never limits reach), and nothing goes over HTTP.
"""

import asyncio
import csv
import heapq
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialer.sim.behaviour import CallStatus, destination, dial_fate
from followup.dialing import outreach_for
from followup.rules.call_parts import PART_WORDS, part_of
from followup.rules.carrier_status import StatusReport
from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import (
    CallLeg,
    CarrierResource,
    Channel,
    Role,
    WrapUpResult,
)
from followup.rules.import_rows import Field
from followup.rules.planning_rules import DayPart
from followup.rules.reach_model import Assumptions, Resident, picks_up
from followup.rules.sms_replies import ReplyKind, interpret
from followup.rules.wrap_up import WrapUpForm
from followup.services.demo_calls import CARRIER_RESULT, carrier_reports, send_messages
from followup.services.dispatch import claim_due, record_results
from followup.services.import_clients import import_clients
from followup.services.outreach import Outreach
from followup.services.planning import run_planning_pass
from followup.services.ports import Accepted, Outbound
from followup.services.reach_residents import (
    START,
    STRATEGIES,
    ZONE,
    Strategy,
    e164,
    import_rows,
    population,
    resident_number,
)
from followup.services.replies import (
    InboundSms,
    answer_by_link,
    call_part_by_link,
    receive_sms,
)
from followup.services.users import add_user
from followup.services.wrap_up import wrap_up
from followup.settings import Settings
from followup.store import simulation as store
from followup.store.engine import create_engine, session_factory
from followup.store.migrate import upgrade
from followup.store.users import SignedIn

DAYS = 44  # two rounds of 14 days, 14 days apart, and the last calls' reports
FIRST_HOUR, LAST_HOUR = 9, 21  # the hours the service may contact anyone
STEP = timedelta(hours=1)  # the clock moves on by whole hours
# What a resident who is reached says (DOMAIN.md: 17, 7, 11 and 24 of the 59 reached).
SAYS = {"1": 17, "2": 7, "3": 11, "4": 24}
SAYS_ON_THE_PHONE = {
    "1": WrapUpResult.ACTIVE,
    "2": WrapUpResult.WITH_WIJ,
    "3": WrapUpResult.IN_PROGRESS,
    "4": WrapUpResult.NOT_ACTIVE,
}
UNANSWERED = (WrapUpResult.NO_ANSWER, WrapUpResult.BUSY)
WORDS = {part: word.upper() for word, part in PART_WORDS.items() if " " not in word}
SECRET = "the-reach-simulation-signs-nothing-that-leaves-it"


def simulate_in_process(
    strategy: str, count: int, seed: int, folder: str, assumptions: Assumptions
) -> "Run":
    """One run in a process of its own (`followup simulate --jobs`): the population of the
    seed, so every strategy meets the same residents."""
    residents = population(count, seed, assumptions)
    return asyncio.run(simulate(STRATEGIES[strategy], residents, seed, Path(folder), assumptions))


@dataclass(slots=True)
class Run:
    """One strategy, one seed: what came of it."""

    strategy: str
    seed: int
    residents: int
    reached: int = 0
    calls: int = 0
    answered_calls: int = 0
    agent_minutes: float = 0.0
    by: dict[str, int] = field(default_factory=dict)  # reached, by the outcome's source

    @property
    def reach(self) -> float:
        return self.reached / self.residents

    @property
    def minutes_per_reached(self) -> float | None:
        return self.agent_minutes / self.reached if self.reached else None


@dataclass(order=True, frozen=True, slots=True)
class _Reaction:
    at: datetime
    index: int  # the resident
    text: str = field(compare=False)  # an SMS to send, or a choice on the response page
    by_link: bool = field(compare=False)


class _World:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        strategy: Strategy,
        residents: list[Resident],
        seed: int,
        assumptions: Assumptions,
    ) -> None:
        self.sessions = sessions
        self.strategy = strategy
        self.residents = residents
        self.a = assumptions
        self.rng = random.Random(seed * 7919 + 1)
        self.calendar = ContactCalendar(ZONE)
        settings = Settings(_env_file=None)
        self.outreach: Outreach = outreach_for(settings, strategy.rules, SECRET, self.calendar)
        self.run = Run(strategy.name, seed, len(residents))
        self.index: dict[int, int] = {}  # client id -> resident
        self.client_of: dict[int, int] = {}  # resident -> client id
        self.told: dict[int, datetime] = {}  # resident -> the call their opening announced
        self.chose: dict[int, DayPart] = {}  # resident -> the part of the day they asked for
        self.reactions: list[_Reaction] = []  # a heap
        self.agent: SignedIn
        self.sids = 0

    def sid(self, prefix: str) -> str:
        self.sids += 1
        return f"{prefix}{self.sids:032x}"

    async def tick(self, now: datetime) -> None:
        await self.react(until=now)
        await run_planning_pass(
            self.sessions,
            now=now,
            rules=self.strategy.rules,
            calendar=self.calendar,
            rng=self.rng,
        )
        await self.send(now)
        await self.call(now)

    async def send(self, now: datetime) -> None:
        claimed = await claim_due(
            self.sessions,
            now=now,
            channels=(Channel.SMS, Channel.EMAIL),
            limit=1_000_000,
            outreach=self.outreach,
        )
        if not self.strategy.reads_messages:  # 2016 had none: nothing is learnt from them
            accepted = [(o, Accepted(self.sid("SM"), "queued")) for o in claimed.outbound]
            await record_results(self.sessions, accepted, now=now, outreach=self.outreach)
            return
        sent = send_messages(claimed.outbound, lambda: self.sid("SM"))
        await record_results(self.sessions, sent.results, now=now, outreach=self.outreach)
        await carrier_reports(
            self.sessions, sent.reports, now + timedelta(minutes=1), self.outreach
        )
        ids = [outbound.attempt_id for outbound in sent.delivered]
        announced = await store.announced_calls(self.sessions, ids)
        for outbound in sent.delivered:
            self.read(outbound, announced.get(outbound.attempt_id), now)

    def read(self, outbound: Outbound, announced: datetime | None, now: datetime) -> None:
        """A message arrived and is read: whether and how the resident answers it."""
        index = self.index[outbound.client_id]
        resident = self.residents[index]
        texted = outbound.channel is Channel.SMS
        if texted and not resident.number_ok:
            return  # someone else's phone
        if announced is not None:
            self.told[index] = announced
        later = now + timedelta(hours=self.rng.uniform(0.2, 20))
        by_sms = self.a.sms_reply if texted else 0.0
        by_link = self.a.link_reply if not texted or self.strategy.link_in_sms else 0.0
        roll = self.rng.random()
        if roll < by_sms + by_link:
            says = self.rng.choices(list(SAYS), weights=list(SAYS.values()))[0]
            heapq.heappush(self.reactions, _Reaction(later, index, says, roll >= by_sms))
        elif (
            announced is not None
            and self.strategy.chooses_part
            and part_of(announced.astimezone(ZONE).time()) != resident.best_part
            and self.rng.random() < self.a.part_reply
        ):
            word = WORDS[resident.best_part]
            heapq.heappush(self.reactions, _Reaction(later, index, word, not texted))

    async def react(self, until: datetime) -> None:
        while self.reactions and self.reactions[0].at <= until:
            reaction = heapq.heappop(self.reactions)
            client_id = self.client_of[reaction.index]
            reply = interpret(reaction.text)
            if reply.part is not None:
                self.chose[reaction.index] = reply.part
            if reaction.by_link:
                follow_up_id = await store.follow_up_of(self.sessions, client_id)
                if reply.kind is ReplyKind.CALL_PART:
                    await call_part_by_link(
                        self.sessions, follow_up_id, reply.part, reaction.at, self.calendar
                    )
                else:
                    await answer_by_link(self.sessions, follow_up_id, reply, reaction.at)
            else:
                number = e164(resident_number(reaction.index, self.residents[reaction.index]))
                sms = InboundSms(self.sid("SM"), number, self.outreach.sms_from, reaction.text)
                await receive_sms(self.sessions, sms, reaction.at, self.calendar)

    async def call(self, now: datetime) -> None:
        await store.give_due_calls_to(self.sessions, self.agent.id, now)
        claimed = await claim_due(
            self.sessions,
            now=now,
            channels=(Channel.CALL,),
            limit=1_000_000,
            outreach=self.outreach,
        )
        if not claimed.outbound:
            return
        await record_results(
            self.sessions,
            [(o, Accepted(self.sid("CA"), "queued")) for o in claimed.outbound],
            now=now,
            outreach=self.outreach,
        )
        reports: list[StatusReport] = []
        results: dict[Outbound, WrapUpResult] = {}
        local = now.astimezone(ZONE)
        for outbound in claimed.outbound:
            index = self.index[outbound.client_id]
            told = self.told.get(index)
            announced = (told is not None and abs(told - now) < timedelta(hours=1)) or (
                self.chose.get(index) == part_of(local.time())
            )
            resident = self.residents[index]
            fate = dial_fate(destination(outbound.to))
            if fate.status is not CallStatus.IN_PROGRESS:
                status, minutes = fate.status.value, self.a.no_answer_minutes
                results[outbound] = CARRIER_RESULT[fate.status]
            elif not resident.number_ok and self.rng.random() < self.a.stranger_answers:
                status, minutes = "completed", self.a.no_answer_minutes
                results[outbound] = WrapUpResult.WRONG_NUMBER
            elif picks_up(resident, local, announced, self.rng, self.a):
                status, minutes = "completed", self.a.talk_minutes
                says = self.rng.choices(list(SAYS), weights=list(SAYS.values()))[0]
                results[outbound] = SAYS_ON_THE_PHONE[says]
                self.run.answered_calls += 1
            else:
                status, minutes = "no-answer", self.a.no_answer_minutes
                results[outbound] = WrapUpResult.NO_ANSWER
            self.run.calls += 1
            self.run.agent_minutes += minutes
            reports += _legs(outbound, self.sid("CA"), self.sid("CA"), status, fate.error_code)
        await carrier_reports(self.sessions, reports, now + timedelta(minutes=1), self.outreach)
        follow_ups = await store.follow_ups_of(self.sessions, [o.attempt_id for o in results])
        done = now + timedelta(minutes=10)
        unanswered = {
            o.attempt_id: (follow_ups[o.attempt_id], WrapUpForm(result))
            for o, result in results.items()
            if result in UNANSWERED
        }
        await store.wrap_up_unanswered(self.sessions, unanswered, self.agent.id, done)
        for outbound, result in results.items():  # the agent records each conversation
            if result not in UNANSWERED:
                await wrap_up(
                    self.sessions,
                    outbound.client_id,
                    follow_ups[outbound.attempt_id],
                    outbound.attempt_id,
                    WrapUpForm(result),
                    self.agent,
                    done,
                    self.outreach.recovery,
                )


def _legs(
    outbound: Outbound, agent_sid: str, client_sid: str, status: str, error: int | None
) -> list[StatusReport]:
    """The status callbacks of a click-to-call that change something: the resident's leg
    answered, how it ended, and the agent's leg ended (the carrier sends a few more)."""

    def leg(sid: str, which: CallLeg, leg_status: str, final: bool = False) -> StatusReport:
        return StatusReport(
            CarrierResource.CALL,
            sid,
            leg_status,
            attempt_id=outbound.attempt_id,
            leg=which,
            error_code=error if final else None,
            duration_seconds=300 if final and leg_status == "completed" else None,
        )

    answered = status == "completed"
    return [
        *([leg(client_sid, CallLeg.CLIENT, "in-progress")] if answered else []),
        leg(client_sid, CallLeg.CLIENT, status, final=True),
        leg(agent_sid, CallLeg.AGENT, "completed"),
    ]


def _next_moment(after: datetime, due: datetime | None) -> datetime:
    """The clock jumps to the next attempt that comes due, or to the next morning, when the
    planner has work of its own (rounds begin and end); never back, never into the night."""
    morning = datetime.combine(after.date() + timedelta(days=1), time(FIRST_HOUR), ZONE)
    if due is None:
        return morning
    due = max(due.astimezone(ZONE), after + STEP)
    # On the next whole hour: what comes due within it waits at most that long.
    due = due.replace(minute=0, second=0, microsecond=0) + (STEP if due.minute else timedelta())
    return due if FIRST_HOUR <= due.hour < LAST_HOUR and due < morning else morning


async def simulate(
    strategy: Strategy,
    residents: list[Resident],
    seed: int,
    folder: Path,
    assumptions: Assumptions,
) -> Run:
    """Play `residents` through the service under `strategy`, in a database in `folder`."""
    database = folder / f"{strategy.name}-{seed}.sqlite"
    database.unlink(missing_ok=True)
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        await upgrade(engine)
        sessions = session_factory(engine)
        world = _World(sessions, strategy, residents, seed, assumptions)
        source = folder / f"{strategy.name}-{seed}.csv"
        with source.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([f.value for f in Field])
            writer.writerows(import_rows(residents, strategy))
        await import_clients(
            sessions, source, today=START.date(), now=START.astimezone(UTC), actor="simulatie"
        )
        world.index = await store.residents_by_client(sessions)
        world.client_of = {index: client_id for client_id, index in world.index.items()}
        email, phone = "belteam@simulatie.example", "+31201234567"
        agent_id = await add_user(
            sessions,
            email=email,
            role=Role.AGENT,
            password="simulatie-" + SECRET,
            now=START,
            actor="simulatie",
            phone=phone,
        )
        world.agent = SignedIn(agent_id, email, Role.AGENT, phone)
        moment, end = START.replace(hour=9), START + timedelta(days=DAYS)
        while moment < end:
            await world.tick(moment.astimezone(UTC))
            moment = _next_moment(moment, await store.next_due(sessions))
        world.run.reached, world.run.by = await store.reached(sessions)
        return world.run
    finally:
        await engine.dispose()
