"""Use case: give the demo a past, so whoever opens it finds work waiting at any hour.

Four months of the service are played back through its own use cases, one planning pass a
week: rounds open and close, opening messages go out (recorded as the carrier took them; the
demo sends nothing for the past), residents answer by SMS, on the response page or to an
agent, and those who never answer end as unreachable after two rounds, as the rules say.
Then today: residents who texted BEL, replies nobody could read, and the calls that came due.

Seeded: the same `now` gives the same past on every database.
"""

import heapq
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from followup.rules.domain import Channel, OptOutSource
from followup.rules.sms_replies import ANSWER_CHOICES
from followup.services.dispatch import claim_due, record_results
from followup.services.outreach import Outreach
from followup.services.planning import run_planning_pass
from followup.services.ports import Accepted
from followup.services.replies import (
    InboundSms,
    answer_by_link,
    apply_reply,
    receive_sms,
)
from followup.store.demo_residents import DemoResident, open_residents
from followup.store.unit_of_work import unit_of_work

SEED = 2016
DAY, WEEK = timedelta(days=1), timedelta(days=7)
MORNING = timedelta(hours=12)  # before the day's texts (the earliest is 9 hours before now)
# The last weekly pass three days ago: its calls have come due since.
HISTORY = timedelta(days=3) + 18 * WEEK
# What a resident answers (None: nothing, ever), weighted so that the closed follow-ups come
# out near the first follow-up of 129 self-starters (DOMAIN.md): 17 active, 7 with the
# WIJ-team, 11 taking steps, 24 not active, 70 unreachable. Some of the unreachable had no
# usable contact details, which the import and the planner find by themselves; a few asked
# for no more contact (STOP); the others never answered two rounds.
ANSWERS: dict[str | None, int] = {"1": 17, "2": 7, "3": 11, "4": 24, "stop": 3, None: 66}
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
    answered: int = 0
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
        self, sessions: async_sessionmaker[AsyncSession], outreach: Outreach, agent_id: int
    ) -> None:
        self.sessions = sessions
        self.outreach = outreach
        self.agent_id = agent_id
        self.rng = random.Random(SEED)
        self.waiting: list[_Answer] = []  # a heap, by moment
        self.lived = LivedIn()

    def sid(self) -> str:
        return f"SM{self.rng.getrandbits(128):032x}"

    async def plan(self, now: datetime) -> None:
        rules, calendar = self.outreach.recovery.rules, self.outreach.recovery.calendar
        await run_planning_pass(self.sessions, now=now, rules=rules, calendar=calendar)

    async def send(self, now: datetime) -> None:
        """The messages that are due, as if the carrier took each one."""
        claimed = await claim_due(
            self.sessions,
            now=now,
            channels=(Channel.SMS, Channel.EMAIL),
            limit=100_000,
            outreach=self.outreach,
        )
        results = [(outbound, Accepted(self.sid(), "queued")) for outbound in claimed.outbound]
        await record_results(self.sessions, results, now=now, outreach=self.outreach)

    async def choose_answers(self, opened_at: datetime, until: datetime) -> None:
        """Who of the residents whose follow-up opened now will answer, when and how."""
        async with unit_of_work(self.sessions) as uow:
            residents = await open_residents(uow.session, opened_at=opened_at)
        choices, weights = list(ANSWERS), list(ANSWERS.values())
        for resident in residents:
            choice = self.rng.choices(choices, weights)[0]
            # Most answer the first round's message, the others the second's.
            later = ROUND_TWO if self.rng.random() < 0.3 else timedelta()
            at = opened_at + later + timedelta(hours=self.rng.uniform(2, 240))
            if choice is not None and at < until:
                heapq.heappush(self.waiting, _Answer(at, resident, choice))

    async def answer(self, until: datetime) -> None:
        while self.waiting and self.waiting[0].at <= until:
            await self._answer(heapq.heappop(self.waiting))
            self.lived.answered += 1

    async def _answer(self, answer: _Answer) -> None:
        resident, reply = answer.resident, ANSWER_CHOICES[answer.choice][1]
        if resident.sms_number is not None:
            await self.text(resident, answer.choice.upper(), answer.at)
        elif resident.has_email:
            await answer_by_link(self.sessions, resident.follow_up_id, reply, answer.at)
        else:  # on the phone, to the demo's agent
            async with unit_of_work(self.sessions) as uow:
                await apply_reply(
                    uow.session,
                    resident.client_id,
                    reply,
                    answer.at,
                    OptOutSource.AGENT,
                    user_id=self.agent_id,
                )
                await uow.commit()

    async def text(self, resident: DemoResident, body: str, at: datetime) -> None:
        sms = InboundSms(self.sid(), resident.sms_number, self.outreach.sms_from, body)
        await receive_sms(self.sessions, sms, at)

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
    agent_id: int,
) -> LivedIn:
    """Play the past back up to `now` over freshly imported residents. `outreach` carries
    the planning rules and the calendar; `agent_id` is who took the answers by phone."""
    now = now.astimezone(UTC)  # weeks back in UTC: the same past whatever zone `now` has
    past = _Past(sessions, outreach, agent_id)
    moment = now - HISTORY
    while moment < now:
        await past.answer(until=moment)
        await past.plan(moment)
        await past.send(moment)
        await past.choose_answers(moment, until=now)
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
    return past.lived
