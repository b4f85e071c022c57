"""Calls through the simulated carrier: the agent's leg made by REST, and the resident's
leg the service's TwiML dials once the agent answers (a click-to-call).

Each leg goes initiated -> ringing -> answered or not, one step per `pace`, by destination.
An answered agent's leg fetches its TwiML, signed like Twilio, and plays it. A bridged
conversation lasts until either side hangs up (or `max_call_seconds`): the resident's leg
completes first, then the agent's.
"""

import asyncio
import contextlib
import logging

import aiohttp
from multidict import MultiMapping

from dialer.sim.behaviour import (
    SIP_CODES,
    CallFate,
    CallStatus,
    Rejection,
    call_fate,
    destination,
    dial_fate,
)
from dialer.sim.callbacks import SignedClient, StatusCallbacks
from dialer.sim.config import SimConfig
from dialer.sim.errors import CarrierError, fail
from dialer.sim.records import API_VERSION, Callback, CallRecord, Ledger, new_sid, rfc2822
from dialer.sim.tasks import BackgroundTasks
from dialer.sim.twiml import Dial, Hangup, Say, TwimlError, Unsupported, Verb, events, voice_verbs
from followup.clock import utc_now
from followup.rules.phones import mask_phone

log = logging.getLogger(__name__)

# The CallStatus each progress event reports; the final event reports how the leg ended.
EVENT_STATUS = {"initiated": "initiated", "ringing": "ringing", "answered": "in-progress"}
FINAL_EVENT = "completed"
HANG_UP_STATUSES = ("completed", "canceled")


class CallFlow:
    def __init__(
        self,
        config: SimConfig,
        tasks: BackgroundTasks,
        callbacks: StatusCallbacks,
        client: SignedClient,
    ) -> None:
        self.config = config
        self.ledger: Ledger[CallRecord] = Ledger()
        self._tasks = tasks
        self._callbacks = callbacks
        self._client = client

    def create(self, form: MultiMapping[str]) -> CallRecord:
        """POST Calls.json; raises CarrierError for what Twilio refuses."""
        to, from_, url = form.get("To"), form.get("From"), form.get("Url")
        if not to:
            raise fail(400, 21201, "No 'To' number is specified")
        if not from_:
            raise fail(400, 21213, "No 'From' number is specified")
        if not url:
            raise fail(400, 21205, "Url parameter is required.")
        target = destination(to)
        fate = call_fate(target)
        if isinstance(fate, Rejection):
            raise CarrierError(fate)
        callback_url = form.get("StatusCallback")
        call = CallRecord(
            sid=new_sid("CA"),
            to=target.identity,
            from_=destination(from_).identity,
            direction="outbound-api",
            status=CallStatus.QUEUED,
            callback=Callback(
                callback_url,
                form.get("StatusCallbackMethod", "POST"),
                events(form.getall("StatusCallbackEvent", [])),
            )
            if callback_url
            else None,
            url=url,
            method=form.get("Method", "POST"),
        )
        self.ledger.add(call)
        self._tasks.spawn(self._agent_leg(call, fate), name=f"call {call.sid}")
        log.debug("call %s to %s queued", call.sid, mask_phone(call.to))
        return call

    def hang_up(self, call: CallRecord, status: str) -> None:
        """POST Calls/{Sid}.json with Status: `completed` ends any call, `canceled` only one
        that was not answered yet (as on Twilio)."""
        if status not in HANG_UP_STATUSES:
            raise fail(400, 20001, "Status must be completed or canceled")
        if call.is_final:
            raise fail(400, 21220, "Call is not in-progress. Cannot redirect.")
        if call.status != CallStatus.IN_PROGRESS:
            self._end(call, CallStatus.CANCELED)
        elif status == "completed":
            self._end_conversation(call)

    def _end_conversation(self, call: CallRecord) -> None:
        """The resident's leg first, then (when the agent hung up) the agent's. A resident
        hanging up ends the <Dial>; the agent's leg then goes on with its TwiML."""
        agent = self.ledger.get(call.parent_call_sid) if call.parent_call_sid else call
        resident = call if agent is not call else call.bridged
        if resident is not None:
            answered = resident.status == CallStatus.IN_PROGRESS
            self._end(resident, CallStatus.COMPLETED if answered else CallStatus.CANCELED)
        if agent is call:
            self._end(call, CallStatus.COMPLETED)

    async def _agent_leg(self, call: CallRecord, fate: CallFate) -> None:
        if not await self._ring(call, fate):
            return
        for verb in await self._fetch_twiml(call):
            if call.is_final:
                return
            if isinstance(verb, Hangup):
                break
            await self._play(call, verb)
        self._end(call, CallStatus.COMPLETED)

    async def _play(self, call: CallRecord, verb: Verb) -> None:
        if isinstance(verb, Say):
            call.said.append(verb.text)
            await self._ended_within(call, self.config.pace)
        elif isinstance(verb, Dial):
            await self._dial(call, verb)
        elif isinstance(verb, Unsupported):
            call.notes.append(f"<{verb.verb}> skipped: not simulated")

    async def _fetch_twiml(self, call: CallRecord) -> list[Verb]:
        """An empty list when there is nothing to play: the call then ends (Twilio would
        first say that an application error occurred)."""
        params = self._params(call, "in-progress")
        try:
            status, text = await self._client.send(call.url or "", call.method, params)
        except (aiohttp.ClientError, TimeoutError) as error:
            call.notes.append(f"TwiML not fetched: {type(error).__name__}")
            return []
        if not 200 <= status < 300:
            call.notes.append(f"TwiML not fetched: HTTP {status}")
            return []
        try:
            return voice_verbs(text)
        except TwimlError as error:
            call.notes.append(f"TwiML not readable: {error}")
            return []

    async def _dial(self, agent: CallRecord, dial: Dial) -> None:
        if dial.number is None:
            agent.notes.append("<Dial> without a number skipped")
            return
        target = destination(dial.number.number)
        resident = CallRecord(
            sid=new_sid("CA"),
            to=target.identity,
            from_=dial.caller_id or agent.from_,
            direction="outbound-dial",
            status=CallStatus.QUEUED,
            callback=dial.number.callback,
            parent_call_sid=agent.sid,
        )
        self.ledger.add(resident)
        agent.bridged = resident
        if not await self._ring(resident, dial_fate(target)):
            return
        if not await self._ended_within(resident, self.config.max_call_seconds):
            agent.notes.append("ended by the simulator after max_call_seconds")
            self._end_conversation(agent)

    async def _ring(self, leg: CallRecord, fate: CallFate) -> bool:
        """Whether the leg was answered; an unanswered leg has ended when this returns."""
        self._event(leg, "initiated")
        if await self._ended_within(leg, self.config.pace):
            return False
        if fate.status == CallStatus.FAILED:
            self._end(leg, CallStatus.FAILED, fate.error_code)
            return False
        leg.touch(CallStatus.RINGING)
        self._event(leg, "ringing")
        if await self._ended_within(leg, self.config.pace):
            return False
        if fate.status != CallStatus.IN_PROGRESS:
            self._end(leg, fate.status)
            return False
        leg.start_time = utc_now()
        leg.touch(CallStatus.IN_PROGRESS)
        self._event(leg, "answered")
        return True

    @staticmethod
    async def _ended_within(leg: CallRecord, seconds: float) -> bool:
        """Wait up to `seconds`; True as soon as the leg has ended (someone hung up)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await leg.ended.wait()
        return leg.is_final

    def _end(self, leg: CallRecord, status: CallStatus, error_code: int | None = None) -> None:
        if leg.is_final:
            return
        leg.end_time = utc_now()
        leg.error_code = error_code
        leg.touch(status)
        leg.ended.set()
        self._event(leg, FINAL_EVENT)
        log.debug("call %s to %s: %s", leg.sid, mask_phone(leg.to), status)

    def _event(self, leg: CallRecord, event: str) -> None:
        """A status callback, when asked for; the final one always goes (as on Twilio)."""
        if leg.callback is None or (event != FINAL_EVENT and event not in leg.callback.events):
            return
        status = EVENT_STATUS.get(event, leg.status)
        params = self._params(leg, status) | {
            "Timestamp": rfc2822(utc_now()) or "",
            "SequenceNumber": str(leg.sequence),
            "CallbackSource": "call-progress-events",
        }
        if status in SIP_CODES:
            params["SipResponseCode"] = str(SIP_CODES[status])
        if event == FINAL_EVENT:
            params["CallDuration"] = str(leg.duration or 0)
        if leg.error_code is not None:
            params["ErrorCode"] = str(leg.error_code)
        leg.sequence += 1
        self._callbacks.post(leg.root_sid, leg.callback, params)

    def _params(self, leg: CallRecord, status: str) -> dict[str, str]:
        """What Twilio sends about a call, to its TwiML URL as to its status callback."""
        params = {
            "AccountSid": self.config.account_sid,
            "ApiVersion": API_VERSION,
            "CallSid": leg.sid,
            "CallStatus": status,
            "Direction": leg.direction,
            "From": leg.from_,
            "To": leg.to,
        }
        if leg.parent_call_sid:
            params["ParentCallSid"] = leg.parent_call_sid
        return params
