"""The demo's call team at work in its made-up past, and the carrier's part in it.

Once each working day, the agents who are in that day (a part-time team) each take "Volgende
inwoner", call, and record how it went, through the same use cases as the console. The
carrier's part follows the simulated carrier's rules for the number (`dialer.sim.behaviour`);
whether a resident picks up depends on the resident and on the hour: evenings better than
daytime, Monday morning and Friday afternoon worse (an assumption in the spirit of DOMAIN.md,
not a measured figure).
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialer.sim.behaviour import CallStatus, Rejection, destination, dial_fate, sms_fate
from followup.rules.carrier_errors import Rejected, classify_rejection
from followup.rules.carrier_status import StatusReport
from followup.rules.domain import CallLeg, CarrierResource, Channel, WrapUpResult
from followup.rules.wrap_up import WrapUpForm
from followup.services.card_contact import call_from_card
from followup.services.carrier_status import apply_statuses
from followup.services.dispatch import claim_due, record_results
from followup.services.next_resident import next_resident
from followup.services.outreach import Outreach
from followup.services.ports import Accepted, Outbound, SendResult
from followup.services.refusals import QueueRefusal
from followup.services.wrap_up import wrap_up
from followup.store.leases import Lease
from followup.store.users import SignedIn

FIRST_HOUR, LAST_HOUR = 9, 19  # the day's calling starts within the call team's hours
PRESENT = 0.25  # each agent calls on about one day a week
SOMEONE_ELSE = 0.08  # of residents who never answer, this share's number is someone else's
# What a resident who means to answer says on the phone (the demo's SMS choices).
SAYS = {
    "1": WrapUpResult.ACTIVE,
    "2": WrapUpResult.WITH_WIJ,
    "3": WrapUpResult.IN_PROGRESS,
    "4": WrapUpResult.NOT_ACTIVE,
    "stop": WrapUpResult.NO_CONTACT_WANTED,
}
CARRIER_RESULT = {
    CallStatus.NO_ANSWER: WrapUpResult.NO_ANSWER,
    CallStatus.BUSY: WrapUpResult.BUSY,
    CallStatus.FAILED: WrapUpResult.WRONG_NUMBER,  # "dit nummer is niet in gebruik"
}


async def carrier_reports(
    sessions: async_sessionmaker[AsyncSession],
    reports: list[StatusReport],
    now: datetime,
    outreach: Outreach,
) -> None:
    """Status callbacks the carrier would have sent, stored as the webhooks store them."""
    async with sessions.kw["bind"].connect() as connection:
        await apply_statuses(connection, reports, now=now, recovery=outreach.recovery)


def pick_up_chance(local: datetime) -> float:
    """How likely a resident who means to answer picks up at this local moment."""
    chance = 0.55 if local.hour >= 17 else 0.35
    if local.weekday() == 0 and local.hour < 12:
        chance -= 0.1
    if local.weekday() == 4 and local.hour >= 12:
        chance -= 0.1
    return chance


@dataclass(slots=True)
class MessagesSent:
    """What the simulated carrier made of some messages: its answers to the dialer, its
    delivery reports, and the messages that reached someone."""

    results: list[tuple[Outbound, SendResult]] = field(default_factory=list)
    reports: list[StatusReport] = field(default_factory=list)
    delivered: list[Outbound] = field(default_factory=list)


def send_messages(outbound: list[Outbound], sid: Callable[[], str]) -> MessagesSent:
    """As the simulated carrier would: a wrong number refused, an unknown handset
    undelivered, the others delivered (an e-mail is delivered when the server takes it)."""
    sent = MessagesSent()
    for message in outbound:
        fate = sms_fate(destination(message.to)) if message.channel is Channel.SMS else None
        if isinstance(fate, Rejection):
            failure = classify_rejection(fate.status, fate.code)
            sent.results.append((message, Rejected(failure, fate.code, fate.message)))
            continue
        sent.results.append((message, Accepted(name := sid(), "queued")))
        if fate is not None:
            sent.reports.append(
                StatusReport(
                    CarrierResource.MESSAGE,
                    name,
                    fate.status,
                    message.attempt_id,
                    error_code=fate.error_code,
                )
            )
        if fate is None or fate.status == "delivered":
            sent.delivered.append(message)
    return sent


@dataclass(frozen=True, slots=True)
class _Call:
    agent: SignedIn
    lease: Lease
    outbound: Outbound
    status: str  # the resident's leg, as the carrier ends it
    result: WrapUpResult
    minutes: int  # how long it took
    error_code: int | None = None


class CallTeam:
    """`intent(follow_up_id)`: what the resident would say (a key of SAYS) or None."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        outreach: Outreach,
        agents: list[SignedIn],
        zone: ZoneInfo,
        rng: random.Random,
        intent: Callable[[int], str | None],
    ) -> None:
        self.sessions = sessions
        self.outreach = outreach
        self.agents = agents
        self.zone = zone
        self.rng = rng
        self.intent = intent
        self.calls = 0

    def moments(self, start: datetime, end: datetime) -> list[datetime]:
        """The moments the team calls between `start` and `end`: working days only."""
        found = []
        day = start.astimezone(self.zone).replace(hour=0, minute=0, second=0, microsecond=0)
        while day < end:
            if day.weekday() < 5:
                hour, minute = self.rng.randint(FIRST_HOUR, LAST_HOUR), self.rng.randrange(60)
                found.append(day.replace(hour=hour, minute=minute))
            day = (day + timedelta(days=1, hours=3)).replace(hour=0)  # safe over summer time
        return sorted(moment for moment in found if start < moment < end)

    async def work(self, moment: datetime) -> set[int]:
        """Each agent who is in calls the next resident; the follow-ups their calls closed."""
        rules, calendar = self.outreach.recovery.rules, self.outreach.recovery.calendar
        taken: dict[int, tuple[SignedIn, Lease]] = {}
        for agent in [agent for agent in self.agents if self.rng.random() < PRESENT]:
            try:
                lease = await next_resident(self.sessions, agent, moment, rules, calendar)
                await call_from_card(
                    self.sessions,
                    lease.client_id,
                    lease.follow_up_id,
                    agent,
                    moment,
                    rules,
                    calendar,
                )
            except QueueRefusal:
                break  # nobody waits any more
            taken[lease.client_id] = (agent, lease)
        if not taken:
            return set()
        claimed = await claim_due(
            self.sessions,
            now=moment,
            channels=(Channel.CALL,),
            limit=len(taken),
            outreach=self.outreach,
        )
        calls = [self._call(*taken[o.client_id], o, moment) for o in claimed.outbound]
        await record_results(
            self.sessions,
            [(call.outbound, Accepted(self._sid(), "queued")) for call in calls],
            now=moment,
            outreach=self.outreach,
        )
        await self._report(calls, moment)
        closed = set()
        for call in calls:
            done = moment + timedelta(minutes=call.minutes + 1)
            form = WrapUpForm(call.result)
            await wrap_up(
                self.sessions,
                call.lease.client_id,
                call.lease.follow_up_id,
                call.outbound.attempt_id,
                form,
                call.agent,
                done,
                self.outreach.recovery,
            )
            if form.outcome is not None:
                closed.add(call.lease.follow_up_id)
        self.calls += len(calls)
        return closed

    def _call(self, agent: SignedIn, lease: Lease, outbound: Outbound, at: datetime) -> _Call:
        """How the call goes: the carrier's rules for the number, then the resident."""
        fate = dial_fate(destination(outbound.to))
        intent = self.intent(lease.follow_up_id)
        if fate.status is not CallStatus.IN_PROGRESS:
            status, result = fate.status.value, CARRIER_RESULT[fate.status]
            return _Call(agent, lease, outbound, status, result, 1, fate.error_code)
        if intent is None and self.rng.random() < SOMEONE_ELSE:
            return _Call(agent, lease, outbound, "completed", WrapUpResult.WRONG_NUMBER, 1)
        if intent is not None and self.rng.random() < pick_up_chance(at.astimezone(self.zone)):
            minutes = self.rng.randint(3, 9)
            return _Call(agent, lease, outbound, "completed", SAYS[intent], minutes)
        return _Call(agent, lease, outbound, "no-answer", WrapUpResult.NO_ANSWER, 1)

    async def _report(self, calls: list[_Call], moment: datetime) -> None:
        """The status callbacks of both legs of each call, as the carrier sends them."""
        reports = []
        for call in calls:
            agent_sid, client_sid = self._sid(), self._sid()
            answered = call.status == "completed"
            reports += [
                self._leg(call, agent_sid, CallLeg.AGENT, "in-progress"),
                self._leg(call, client_sid, CallLeg.CLIENT, "ringing"),
                *([self._leg(call, client_sid, CallLeg.CLIENT, "in-progress")] if answered else []),
                self._leg(call, client_sid, CallLeg.CLIENT, call.status, final=True),
                self._leg(call, agent_sid, CallLeg.AGENT, "completed"),
            ]
        await carrier_reports(self.sessions, reports, moment + timedelta(minutes=1), self.outreach)

    @staticmethod
    def _leg(
        call: _Call, sid: str, leg: CallLeg, status: str, *, final: bool = False
    ) -> StatusReport:
        return StatusReport(
            CarrierResource.CALL,
            sid,
            status,
            attempt_id=call.outbound.attempt_id,
            leg=leg,
            error_code=call.error_code if final else None,
            duration_seconds=call.minutes * 60 if final and status == "completed" else None,
        )

    def _sid(self) -> str:
        return f"CA{self.rng.getrandbits(128):032x}"
