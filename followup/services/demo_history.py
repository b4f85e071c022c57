"""Use case: give the demo a past, so whoever opens it finds work waiting at any hour.

A year of the service is played back through its own use cases, one planning pass a week:
rounds open and close, opening messages go out (the demo sends nothing for the past: the
carrier's answers and delivery reports are made up by the simulated carrier's rules for each
number), the call team works the calls that came due (`demo_calls`), residents answer by SMS,
on the response page or on the phone, and those who never answer end as unreachable after two
rounds, as the rules say. Then today: residents who texted BEL, replies nobody could read, and
the calls that came due, which the team has not worked yet.

Seeded: the same `now` gives the same past on every database.
"""

import heapq
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.domain import Channel, OptOutSource
from followup.rules.sms_replies import ANSWER_CHOICES
from followup.services.demo_calls import CallTeam, carrier_reports, send_messages
from followup.services.dispatch import claim_due, record_results
from followup.services.outreach import Outreach
from followup.services.planning import run_planning_pass
from followup.services.replies import (
    InboundSms,
    answer_by_link,
    apply_reply,
    receive_sms,
)
from followup.store.demo_residents import DemoResident, open_residents
from followup.store.unit_of_work import unit_of_work
from followup.store.users import SignedIn

SEED = 2016
DAY, WEEK = timedelta(days=1), timedelta(days=7)
MORNING = timedelta(hours=12)  # before the day's texts (the earliest is 9 hours before now)
# The last weekly pass three days ago: its calls have come due since.
HISTORY = timedelta(days=3) + 52 * WEEK
# What a resident answers (None: nothing, ever), weighted so that the closed follow-ups come
# out near the first follow-up of 129 self-starters (DOMAIN.md): 17 active, 7 with the
# WIJ-team, 11 taking steps, 24 not active, 70 unreachable. Some of the unreachable had no
# usable contact details, which the import and the planner find by themselves, or a number the
# carrier or an agent proved wrong; a few asked for no more contact (STOP); the others never
# answered two rounds. So fewer than 70 in 129 mean never to answer.
ANSWERS: dict[str | None, int] = {"1": 17, "2": 7, "3": 11, "4": 24, "stop": 3, None: 58}
# A round lasts 14 days and the next opens 14 days later (the default planning rules).
ROUND_TWO = timedelta(days=28)
# Today's texts, from residents whose follow-up is open: BEL, and words only a person can read.
CALLBACKS = (
    (timedelta(hours=6), "Bel mij"),
    (timedelta(hours=4), "BEL"),
    (timedelta(hours=2, minutes=30), "bel"),
    (timedelta(hours=1, minutes=15), "Bellen"),
    (timedelta(minutes=35), "Bel mij"),
    (timedelta(minutes=10), "bel mij"),
)
UNCLEAR_REPLIES = (
    (timedelta(hours=9), "Wie is dit?"),
    (timedelta(hours=8, minutes=40), "Ik werk nu twee dagen in de week bij de kringloop"),
    (timedelta(hours=7, minutes=5), "Kunt u na vijf uur bellen? Overdag werk ik."),
    (timedelta(hours=5), "Mijn moeder ligt in het ziekenhuis, ze belt later terug"),
    (timedelta(hours=3, minutes=20), "ok"),
)


@dataclass(slots=True)
class LivedIn:
    answered: int = 0  # by SMS or the response page
    calls: int = 0
    callbacks: int = 0
    replies_to_read: int = 0


@dataclass(frozen=True, slots=True)
class _Answer:
    at: datetime
    resident: DemoResident
    choice: str

    def __lt__(self, other: "_Answer") -> bool:
        return (self.at, self.resident.client_id) < (other.at, other.resident.client_id)


class _Past:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        outreach: Outreach,
        agents: list[SignedIn],
    ) -> None:
        self.sessions = sessions
        self.outreach = outreach
        self.agents = agents
        # What residents mean to say, and when, comes from one source; the carrier's names and
        # the call team's days from another, so a difference in how the calls went (the order
        # of a tie in the queue on another database, say) changes no resident's intent.
        self.rng = random.Random(SEED)
        self.carrier_rng = random.Random(SEED + 1)
        self.waiting: list[_Answer] = []  # a heap, by moment
        self.intents: dict[int, str | None] = {}  # by follow-up: what the resident will say
        self.closed: set[int] = set()  # follow-ups an agent closed on the phone
        zone = outreach.recovery.calendar.zone
        self.team = CallTeam(sessions, outreach, agents, zone, self.carrier_rng, self.intents.get)
        self.lived = LivedIn()

    def sid(self) -> str:
        return f"SM{self.carrier_rng.getrandbits(128):032x}"

    async def plan(self, now: datetime) -> None:
        rules, calendar = self.outreach.recovery.rules, self.outreach.recovery.calendar
        await run_planning_pass(self.sessions, now=now, rules=rules, calendar=calendar)

    async def send(self, now: datetime) -> None:
        """The messages that are due, answered and then reported on as the simulated carrier
        would: a wrong number refused, an unknown handset undelivered, the others delivered."""
        claimed = await claim_due(
            self.sessions,
            now=now,
            channels=(Channel.SMS, Channel.EMAIL),
            limit=100_000,
            outreach=self.outreach,
        )
        sent = send_messages(claimed.outbound, self.sid)
        await record_results(self.sessions, sent.results, now=now, outreach=self.outreach)
        await carrier_reports(
            self.sessions, sent.reports, now + timedelta(minutes=1), self.outreach
        )

    async def call(self, since: datetime, until: datetime) -> None:
        """The call team's working moments between two passes."""
        for moment in self.team.moments(since, until):
            await self.answer(until=moment)
            self.closed |= await self.team.work(moment)

    async def choose_answers(self, opened_at: datetime, until: datetime) -> None:
        """Who of the residents whose follow-up opened now will answer, when and how."""
        async with unit_of_work(self.sessions) as uow:
            residents = await open_residents(uow.session, opened_at=opened_at)
        choices, weights = list(ANSWERS), list(ANSWERS.values())
        for resident in residents:
            choice = self.rng.choices(choices, weights)[0]
            self.intents[resident.follow_up_id] = choice
            # Most answer the first round's message, the others the second's.
            later = ROUND_TWO if self.rng.random() < 0.3 else timedelta()
            at = opened_at + later + timedelta(hours=self.rng.uniform(2, 240))
            if choice is not None and at < until:
                heapq.heappush(self.waiting, _Answer(at, resident, choice))

    async def answer(self, until: datetime) -> None:
        while self.waiting and self.waiting[0].at <= until:
            answer = heapq.heappop(self.waiting)
            if answer.resident.follow_up_id not in self.closed:  # not told an agent already
                await self._answer(answer)
                self.lived.answered += 1

    async def _answer(self, answer: _Answer) -> None:
        resident, reply = answer.resident, ANSWER_CHOICES[answer.choice][1]
        if resident.sms_number is not None:
            await self.text(resident, answer.choice.upper(), answer.at)
        elif resident.has_email:
            await answer_by_link(self.sessions, resident.follow_up_id, reply, answer.at)
        else:  # they rang the call team themselves
            async with unit_of_work(self.sessions) as uow:
                await apply_reply(
                    uow.session,
                    resident.client_id,
                    reply,
                    answer.at,
                    OptOutSource.AGENT,
                    user_id=self.carrier_rng.choice(self.agents).id,
                )
                await uow.commit()

    async def text(self, resident: DemoResident, body: str, at: datetime) -> None:
        sms = InboundSms(self.sid(), resident.sms_number, self.outreach.sms_from, body)
        await receive_sms(self.sessions, sms, at, self.outreach.recovery.calendar)

    async def today(self, now: datetime) -> None:
        """Texts of the last hours from residents whose follow-up is open."""
        async with unit_of_work(self.sessions) as uow:
            # Not in a round about to close: its end would stop the call they asked for.
            residents = await open_residents(uow.session, round_open_until=now + DAY)
        texting = [r for r in residents if r.sms_number]
        texts = CALLBACKS + UNCLEAR_REPLIES
        for resident, (ago, body) in zip(self.rng.sample(texting, len(texts)), texts, strict=True):
            await self.text(resident, body, now - ago)
        self.lived.callbacks = len(CALLBACKS)
        self.lived.replies_to_read = len(UNCLEAR_REPLIES)


async def live_in(
    sessions: async_sessionmaker[AsyncSession],
    *,
    now: datetime,
    outreach: Outreach,
    agents: list[SignedIn],
) -> LivedIn:
    """Play the past back up to `now` over freshly imported residents. `outreach` carries
    the planning rules and the calendar; `agents` are the call team."""
    now = now.astimezone(UTC)  # weeks back in UTC: the same past whatever zone `now` has
    past = _Past(sessions, outreach, agents)
    moment = now - HISTORY
    while moment < now:
        await past.answer(until=moment)
        await past.plan(moment)
        await past.send(moment)
        await past.choose_answers(moment, until=now)
        if moment + WEEK < now:  # the calls of the last pass wait for today's agents
            await past.call(moment, moment + WEEK)
        moment += WEEK
    # This morning's pass, then the day's texts, then the pass of now: the calls that came
    # due wait for an agent, except of those who texted; the messages it queues go out for
    # real once the service runs.
    await past.answer(until=now - MORNING)
    await past.plan(now - MORNING)
    await past.send(now - MORNING)
    await past.answer(until=now)
    await past.today(now)
    await past.plan(now)
    past.lived.calls = past.team.calls
    return past.lived
