"""The simulated carrier through the real `twilio` library, over real HTTP: CONTRACT section 6
row by row, the click-to-call bridge, Twilio's errors and list pages, Lookup v2, signed
callbacks with retries, the test controls, the demo phone page and `followup sim-carrier`.

Every request the carrier makes to the receiver below must carry a valid Twilio signature:
the receiver refuses the others and the test fails at teardown.
"""

import asyncio
import json
import re
import subprocess
import time
import urllib.request
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse

from dialer.sim import Fault, FaultKind, SimCarrier, SimConfig, running_sim
from dialer.twilio_http import CarrierHttpClient
from tests.support.processes import FOLLOWUP, clean_env

SID = "AC" + "1" * 32
TOKEN = "test-auth-token"
OURS = "+3197010000001"
AGENT = "+31687654321"
MOBILE = "+31612345678"
LANDLINE = "+31201234567"
VOIP = "+31851234567"
PACE = 0.01
ALL_EVENTS = ["initiated", "ringing", "answered", "completed"]
SID_PATTERN = r"{}[0-9a-f]{{32}}"


@dataclass
class Plan:
    """How the receiver answers one path."""

    status: int = 204
    text: str = ""
    failures: int = 0  # answer 500 this many times first
    hang: bool = False  # never answer (until the test ends)


@dataclass
class Hit:
    path: str
    params: dict[str, str]


@dataclass
class Receiver:
    """The service's side: checks every signature, records the params, answers as planned."""

    base: str = ""
    hits: list[Hit] = field(default_factory=list)
    bad_signatures: list[str] = field(default_factory=list)
    plans: dict[str, Plan] = field(default_factory=dict)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str) -> str:
        return self.base + path

    def params(self, path: str) -> list[dict[str, str]]:
        return [hit.params for hit in self.hits if hit.path == path]

    def statuses(self, path: str, key: str = "CallStatus") -> list[str]:
        return [params[key] for params in self.params(path)]

    async def handle(self, request: web.Request) -> web.Response:
        form = {key: str(value) for key, value in (await request.post()).items()}
        url = self.base + request.rel_url.raw_path_qs
        signature = request.headers.get("X-Twilio-Signature", "")
        if not RequestValidator(TOKEN).validate(url, form, signature):
            self.bad_signatures.append(request.path)
            return web.Response(status=403)
        plan = self.plans.setdefault(request.path, Plan())
        if plan.hang:
            await self.stop.wait()
        if plan.failures:
            plan.failures -= 1
            return web.Response(status=500)
        self.hits.append(Hit(request.path, form))
        return web.Response(status=plan.status, text=plan.text, content_type="text/xml")


@dataclass
class Sim:
    carrier: SimCarrier
    base: str
    client: Client

    async def get(self, path: str, **kwargs: Any) -> tuple[int, str]:
        async with (
            aiohttp.ClientSession() as session,
            session.get(self.base + path, **kwargs) as response,
        ):
            return response.status, await response.text()

    async def post(self, path: str, **kwargs: Any) -> tuple[int, str]:
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.base + path, allow_redirects=True, **kwargs) as response,
        ):
            return response.status, await response.text()


async def until(condition: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Poll `condition` until it holds: progress and callbacks take their own time."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(PACE)
    return result


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/{path:.*}", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    receiver.base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield receiver
    receiver.stop.set()
    await runner.cleanup()
    assert receiver.bad_signatures == []


def sim_config(receiver: Receiver, **overrides: Any) -> SimConfig:
    settings: dict[str, Any] = {
        "account_sid": SID,
        "auth_token": TOKEN,
        "default_from": OURS,
        "inbound_sms_url": receiver.url("/sms"),
        "pace": PACE,
        "callback_timeout": 0.5,
        "fault_delay": 30,
    }
    return SimConfig(**(settings | overrides))


@asynccontextmanager
async def serving(config: SimConfig, timeout: float = 5.0) -> AsyncIterator[Sim]:
    carrier = SimCarrier(config)
    async with running_sim(carrier) as base:
        http = CarrierHttpClient(base, timeout=timeout)
        try:
            yield Sim(carrier, base, Client(SID, TOKEN, http_client=http))
        finally:
            await http.close()


@pytest.fixture
async def sim(receiver: Receiver) -> AsyncIterator[Sim]:
    async with serving(sim_config(receiver)) as sim:
        yield sim


async def send_text(sim: Sim, receiver: Receiver, to: str = MOBILE, body: str = "Hallo") -> Any:
    return await sim.client.messages.create_async(
        to=to, from_=OURS, body=body, status_callback=receiver.url("/sms-status")
    )


async def call_agent(sim: Sim, receiver: Receiver, to: str = AGENT) -> Any:
    return await sim.client.calls.create_async(
        to=to,
        from_=OURS,
        url=receiver.url("/bridge"),
        method="POST",
        status_callback=receiver.url("/agent-status"),
        status_callback_event=ALL_EVENTS,
        status_callback_method="POST",
        timeout=25,
    )


def bridge_to(receiver: Receiver, resident: str) -> None:
    """The service's TwiML for an answered agent: dial the resident, with callbacks."""
    response = VoiceResponse()
    dial = response.dial(caller_id=OURS, timeout=30, answer_on_bridge=True)
    dial.number(
        resident,
        status_callback=receiver.url("/resident-status"),
        status_callback_event=" ".join(ALL_EVENTS),
        status_callback_method="POST",
    )
    receiver.plans["/bridge"] = Plan(200, str(response))


async def final_status(sim: Sim, sid: str, status: str) -> Any:
    """The call as the library fetches it, once it has ended this way."""
    await until(lambda: sim.carrier.call(sid).status == status)
    return await sim.client.calls(sid).fetch_async()


async def bridged_call(sim: Sim, receiver: Receiver) -> tuple[Any, str]:
    """An agent's call, answered and connected to an answering resident."""
    bridge_to(receiver, MOBILE)
    agent = await call_agent(sim, receiver)
    resident = await until(
        lambda: next(
            (c for c in sim.carrier.calls if c.parent_call_sid and c.status == "in-progress"),
            None,
        )
    )
    return agent, resident.sid


# --- Messages -------------------------------------------------------------------------


async def test_a_text_to_a_mobile_is_queued_then_sent_and_delivered(sim, receiver):
    message = await send_text(sim, receiver, body="Goedemorgen")

    assert re.fullmatch(SID_PATTERN.format("SM"), message.sid)
    assert (message.status, message.direction, message.to, message.from_) == (
        "queued",
        "outbound-api",
        MOBILE,
        OURS,
    )
    assert (message.account_sid, message.body, message.num_segments) == (SID, "Goedemorgen", "1")
    assert message.date_created is not None and message.date_sent is None
    assert message.error_code is None and message.price is None
    await until(lambda: receiver.statuses("/sms-status", "MessageStatus") == ["sent", "delivered"])
    delivered = receiver.params("/sms-status")[-1]
    assert delivered == {
        "MessageSid": message.sid,
        "SmsSid": message.sid,
        "AccountSid": SID,
        "From": OURS,
        "To": MOBILE,
        "MessageStatus": "delivered",
        "SmsStatus": "delivered",
        "ApiVersion": "2010-04-01",
    }
    fetched = await sim.client.messages(message.sid).fetch_async()
    assert fetched.status == "delivered" and fetched.date_sent is not None


@pytest.mark.parametrize(("ending", "code"), [("0005", 30005), ("0003", 30003)])
async def test_a_text_to_a_special_ending_is_undelivered(sim, receiver, ending, code):
    message = await send_text(sim, receiver, to="+3161234" + ending)

    await until(lambda: len(receiver.params("/sms-status")) == 2)
    sent, undelivered = receiver.params("/sms-status")
    assert (sent["MessageStatus"], "ErrorCode" in sent) == ("sent", False)
    assert (undelivered["MessageStatus"], undelivered["ErrorCode"]) == ("undelivered", str(code))
    fetched = await sim.client.messages(message.sid).fetch_async()
    assert (fetched.status, fetched.error_code) == ("undelivered", code)


@pytest.mark.parametrize(
    ("to", "body", "code"),
    [
        (LANDLINE, "Hallo", 21614),
        (VOIP, "Hallo", 21614),
        ("+31612340000", "Hallo", 21211),
        ("0612", "Hallo", 21211),
        ("geen nummer", "Hallo", 21211),
        ("", "Hallo", 21604),
        (MOBILE, "", 21602),
    ],
    ids=["landline", "voip", "ends-0000", "too-short", "not-a-number", "no-to", "no-body"],
)
async def test_a_text_the_carrier_refuses_is_a_400_that_does_not_name_the_number(
    sim, receiver, to, body, code
):
    with pytest.raises(TwilioRestException) as refused:
        await send_text(sim, receiver, to=to, body=body)

    assert (refused.value.status, refused.value.code) == (400, code)
    assert not to or to not in str(refused.value)
    assert sim.carrier.messages == []


async def test_a_national_notation_is_stored_in_e164(sim, receiver):
    message = await send_text(sim, receiver, to="06-12345678")
    assert message.to == MOBILE


# --- Calls ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ending", "status", "sip"), [("0001", "no-answer", "480"), ("0002", "busy", "486")]
)
async def test_an_agent_who_does_not_answer(sim, receiver, ending, status, sip):
    call = await call_agent(sim, receiver, to="+3168765" + ending)

    assert re.fullmatch(SID_PATTERN.format("CA"), call.sid)
    assert (call.status, call.direction, call.parent_call_sid, call.duration) == (
        "queued",
        "outbound-api",
        None,
        None,
    )
    await until(lambda: len(receiver.params("/agent-status")) == 3)
    assert receiver.statuses("/agent-status") == ["initiated", "ringing", status]
    final = receiver.params("/agent-status")[-1]
    assert (final["SipResponseCode"], final["CallDuration"], final["SequenceNumber"]) == (
        sip,
        "0",
        "2",
    )
    assert final["CallbackSource"] == "call-progress-events" and final["Timestamp"]
    assert receiver.params("/bridge") == []
    assert (await sim.client.calls(call.sid).fetch_async()).status == status


async def test_a_call_to_an_invalid_number_or_without_url_is_refused(sim, receiver):
    with pytest.raises(TwilioRestException) as invalid:
        await call_agent(sim, receiver, to="+31687650000")
    with pytest.raises(TwilioRestException) as no_url:
        await sim.client.calls.create_async(to=AGENT, from_=OURS)

    assert (invalid.value.status, invalid.value.code) == (400, 21211)
    assert "+31687650000" not in str(invalid.value)
    assert (no_url.value.status, no_url.value.code) == (400, 21205)
    assert sim.carrier.calls == []


async def test_only_the_final_event_goes_when_no_events_were_asked_for(sim, receiver):
    call = await sim.client.calls.create_async(
        to="+31687650002",
        from_=OURS,
        url=receiver.url("/bridge"),
        status_callback=receiver.url("/agent-status"),
    )
    await final_status(sim, call.sid, "busy")
    await until(lambda: receiver.statuses("/agent-status") == ["busy"])
    assert receiver.params("/agent-status")[0]["SequenceNumber"] == "0"


async def test_click_to_call_bridges_the_agent_to_the_resident(sim, receiver):
    agent, resident_sid = await bridged_call(sim, receiver)

    (fetch,) = receiver.params("/bridge")
    assert fetch == {
        "AccountSid": SID,
        "ApiVersion": "2010-04-01",
        "CallSid": agent.sid,
        "CallStatus": "in-progress",
        "Direction": "outbound-api",
        "From": OURS,
        "To": AGENT,
    }
    resident = await sim.client.calls(resident_sid).fetch_async()
    assert (resident.parent_call_sid, resident.direction, resident.to, resident._from) == (
        agent.sid,
        "outbound-dial",
        MOBILE,
        OURS,
    )
    assert resident.status == "in-progress" and resident.start_time is not None

    hung_up = await sim.client.calls(agent.sid).update_async(status="completed")

    assert hung_up.status == "completed"
    await until(lambda: len(receiver.params("/agent-status")) == 4)
    await until(lambda: len(receiver.params("/resident-status")) == 4)
    assert receiver.statuses("/agent-status") == [
        "initiated",
        "ringing",
        "in-progress",
        "completed",
    ]
    assert receiver.statuses("/resident-status") == [
        "initiated",
        "ringing",
        "in-progress",
        "completed",
    ]
    assert {p["ParentCallSid"] for p in receiver.params("/resident-status")} == {agent.sid}
    assert all("ParentCallSid" not in p for p in receiver.params("/agent-status"))
    assert [p["SequenceNumber"] for p in receiver.params("/resident-status")] == [
        "0",
        "1",
        "2",
        "3",
    ]
    for path in ("/agent-status", "/resident-status"):
        answered, completed = receiver.params(path)[2:]
        assert answered["SipResponseCode"] == completed["SipResponseCode"] == "200"
        assert completed["CallDuration"].isdigit()
    finals = [hit.path for hit in receiver.hits if hit.params.get("CallStatus") == "completed"]
    assert finals == ["/resident-status", "/agent-status"]  # the resident's leg ends first
    resident = await sim.client.calls(resident_sid).fetch_async()
    assert resident.status == "completed" and resident.duration.isdigit()


async def test_a_resident_who_hangs_up_ends_the_agents_call_too(sim, receiver):
    agent, resident_sid = await bridged_call(sim, receiver)

    await sim.client.calls(resident_sid).update_async(status="completed")

    assert (await final_status(sim, agent.sid, "completed")).status == "completed"
    assert sim.carrier.call(resident_sid).status == "completed"
    assert sim.carrier.call(resident_sid).end_time <= sim.carrier.call(agent.sid).end_time


@pytest.mark.parametrize(
    ("resident", "status", "sip", "error"),
    [
        ("+31612340001", "no-answer", "480", None),
        ("+31612340002", "busy", "486", None),
        ("+31612340000", "failed", "404", "13224"),
        ("0612", "failed", "404", "13224"),
    ],
)
async def test_a_resident_who_is_not_reached_ends_the_dial(
    sim, receiver, resident, status, sip, error
):
    bridge_to(receiver, resident)
    agent = await call_agent(sim, receiver)

    await final_status(sim, agent.sid, "completed")
    await until(lambda: "completed" in receiver.statuses("/agent-status"))
    await until(lambda: status in receiver.statuses("/resident-status"))
    final = receiver.params("/resident-status")[-1]
    assert (final["SipResponseCode"], final.get("ErrorCode"), final["CallDuration"]) == (
        sip,
        error,
        "0",
    )
    assert final["ParentCallSid"] == agent.sid
    assert ("ringing" in receiver.statuses("/resident-status")) is (status != "failed")


@pytest.mark.parametrize(
    ("plan", "said", "note"),
    [
        (Plan(500), [], "HTTP 500"),
        (Plan(200, "dit is geen TwiML"), [], "not readable"),
        (
            Plan(200, "<Response><Say>Tot ziens</Say><Hangup/><Say>Niet</Say></Response>"),
            ["Tot ziens"],
            None,
        ),
        (Plan(200, "<Response><Play>x.mp3</Play></Response>"), [], "<Play> skipped"),
    ],
    ids=["server-error", "not-xml", "say-and-hang-up", "unsupported-verb"],
)
async def test_an_agents_call_without_a_dial_completes(sim, receiver, plan, said, note):
    receiver.plans["/bridge"] = plan
    agent = await call_agent(sim, receiver)

    await final_status(sim, agent.sid, "completed")
    record = sim.carrier.call(agent.sid)
    assert record.said == said
    assert any(note in line for line in record.notes) if note else record.notes == []
    assert len(sim.carrier.calls) == 1


async def test_hanging_up_a_call_that_is_not_answered_cancels_it(sim, receiver):
    call = await call_agent(sim, receiver)

    canceled = await sim.client.calls(call.sid).update_async(status="completed")

    assert canceled.status == "canceled"
    await until(lambda: "canceled" in receiver.statuses("/agent-status"))
    assert receiver.params("/agent-status")[-1]["SipResponseCode"] == "487"
    with pytest.raises(TwilioRestException) as again:
        await sim.client.calls(call.sid).update_async(status="completed")
    assert (again.value.status, again.value.code) == (400, 21220)


async def test_an_answered_call_nobody_hangs_up_ends_after_the_longest_call(receiver):
    async with serving(sim_config(receiver, max_call_seconds=0.05)) as sim:
        agent, resident_sid = await bridged_call(sim, receiver)
        await final_status(sim, agent.sid, "completed")
        assert sim.carrier.call(resident_sid).status == "completed"


# --- Errors, lists and lookups ------------------------------------------------------------


async def test_wrong_credentials_get_twilios_401(sim, receiver):
    http = CarrierHttpClient(sim.base, timeout=5)
    try:
        intruder = Client(SID, "wrong-token", http_client=http)
        with pytest.raises(TwilioRestException) as refused:
            await intruder.messages.create_async(to=MOBILE, from_=OURS, body="Hallo")
        with pytest.raises(TwilioRestException) as lookup:
            await intruder.lookups.v2.phone_numbers(MOBILE).fetch_async()
        other_account = Client(SID, TOKEN, account_sid="AC" + "2" * 32, http_client=http)
        with pytest.raises(TwilioRestException) as elsewhere:
            await other_account.messages.create_async(to=MOBILE, from_=OURS, body="Hallo")
    finally:
        await http.close()

    assert (refused.value.status, refused.value.code) == (401, 20003)
    assert (lookup.value.status, lookup.value.code) == (401, 20003)
    assert (elsewhere.value.status, elsewhere.value.code) == (404, 20404)
    assert sim.carrier.messages == []


async def test_an_unknown_sid_is_twilios_404(sim):
    with pytest.raises(TwilioRestException) as message:
        await sim.client.messages("SM" + "0" * 32).fetch_async()
    with pytest.raises(TwilioRestException) as call:
        await sim.client.calls("CA" + "0" * 32).update_async(status="completed")
    assert (message.value.status, message.value.code) == (404, 20404)
    assert (call.value.status, call.value.code) == (404, 20404)


async def test_lists_filter_by_to_and_from_newest_first_across_pages(sim, receiver):
    other = "+31611111111"
    first, second, third = [await send_text(sim, receiver, body=f"nr {n}") for n in range(3)]
    await send_text(sim, receiver, to=other)

    to_mobile = await sim.client.messages.list_async(to=MOBILE, from_=OURS, page_size=2)
    latest = await sim.client.messages.list_async(to=MOBILE, limit=1)
    from_elsewhere = await sim.client.messages.list_async(from_="+31622222222")

    assert [m.sid for m in to_mobile] == [third.sid, second.sid, first.sid]
    assert [m.sid for m in latest] == [third.sid]
    assert from_elsewhere == []
    agent = await call_agent(sim, receiver, to="+31687650001")
    calls = await sim.client.calls.list_async(to="+31687650001", limit=20)
    assert [c.sid for c in calls] == [agent.sid]
    assert await sim.client.calls.list_async(to=MOBILE) == []


@pytest.mark.parametrize(
    ("number", "valid", "line_type", "errors"),
    [
        (MOBILE, True, "mobile", []),
        (LANDLINE, True, "landline", []),
        (VOIP, True, "nonFixedVoip", []),
        ("+31612340000", False, None, ["INVALID_BUT_POSSIBLE"]),
        ("+3161", False, None, ["TOO_SHORT"]),
    ],
)
async def test_lookup_v2_tells_valid_numbers_and_their_line_type(
    sim, number, valid, line_type, errors
):
    found = await sim.client.lookups.v2.phone_numbers(number).fetch_async(
        fields="line_type_intelligence"
    )

    assert (found.valid, found.validation_errors, found.phone_number) == (valid, errors, number)
    assert (found.calling_country_code, found.country_code) == ("31", "NL")
    if line_type is None:
        assert found.line_type_intelligence is None
    else:
        assert found.line_type_intelligence["type"] == line_type
        assert found.line_type_intelligence["carrier_name"] == "Sim Mobiel"
    plain = await sim.client.lookups.v2.phone_numbers(number).fetch_async()
    assert plain.line_type_intelligence is None


async def test_sim_endpoints_list_everything_received(sim, receiver):
    message = await send_text(sim, receiver)
    call = await call_agent(sim, receiver, to="+31687650002")

    status, messages = await sim.get("/sim/messages")
    _, calls = await sim.get("/sim/calls")

    assert status == 200
    (listed,) = json.loads(messages)
    assert (listed["sid"], listed["direction"], listed["body"]) == (
        message.sid,
        "outbound-api",
        "Hallo",
    )
    assert listed["received_at"].startswith(str(sim.carrier.messages[0].created.date()))
    assert [c["sid"] for c in json.loads(calls)] == [call.sid]
    assert sim.carrier.messages[0].received_monotonic <= time.monotonic()


# --- Test controls ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "code"), [("http_500", 500, 20500), ("http_429", 429, 20429)]
)
async def test_an_error_fault_spoils_one_create(sim, receiver, kind, status, code):
    sim.carrier.add_fault(Fault(FaultKind(kind)))

    with pytest.raises(TwilioRestException) as spoiled:
        await send_text(sim, receiver)
    sent = await send_text(sim, receiver)

    assert (spoiled.value.status, spoiled.value.code) == (status, code)
    assert [m.sid for m in sim.carrier.messages] == [sent.sid]


async def test_a_garbage_answer_is_not_json(sim, receiver):
    sim.carrier.add_fault(Fault(FaultKind.GARBAGE))
    with pytest.raises(json.JSONDecodeError):
        await call_agent(sim, receiver)
    assert sim.carrier.calls == []


async def test_a_timeout_fault_outlasts_the_clients_patience(receiver):
    async with serving(sim_config(receiver), timeout=1.0) as sim:
        sim.carrier.add_fault(Fault(FaultKind.TIMEOUT, after_record=True))
        with pytest.raises(TimeoutError):
            await send_text(sim, receiver)
        await until(lambda: len(sim.carrier.messages) == 1)
        (record,) = sim.carrier.messages  # the carrier did send it
        await until(
            lambda: receiver.statuses("/sms-status", "MessageStatus") == ["sent", "delivered"]
        )
        assert (await sim.client.messages.list_async(to=MOBILE))[0].sid == record.sid


async def test_a_fault_after_recording_sends_anyway_and_counts_down(sim, receiver):
    sim.carrier.add_fault(Fault(FaultKind.HTTP_500, count=2, after_record=True))

    for _ in range(2):
        with pytest.raises(TwilioRestException):
            await send_text(sim, receiver)
    await send_text(sim, receiver)

    assert len(sim.carrier.messages) == 3
    await until(lambda: receiver.statuses("/sms-status", "MessageStatus").count("delivered") == 3)


async def test_faults_are_set_and_cleared_over_http(sim, receiver):
    status, _ = await sim.post("/sim/faults", json={"kind": "http_429", "count": 3})
    assert status == 201
    with pytest.raises(TwilioRestException) as spoiled:
        await call_agent(sim, receiver)
    assert spoiled.value.status == 429

    status, _ = await sim.post("/sim/faults", json={"kind": "no-such-fault"})
    assert status == 400
    async with aiohttp.ClientSession() as session, session.delete(sim.base + "/sim/faults") as done:
        assert done.status == 204
    assert (await send_text(sim, receiver)).status == "queued"


async def test_a_held_answer_waits_while_the_message_goes_out(sim, receiver):
    sim.carrier.hold()
    pending = asyncio.ensure_future(send_text(sim, receiver))

    await sim.carrier.wait_held(1)
    (record,) = sim.carrier.messages
    await until(lambda: receiver.statuses("/sms-status", "MessageStatus") == ["sent", "delivered"])
    assert not pending.done()
    assert json.loads((await sim.get("/sim/held"))[1]) == {"held": 1}

    status, body = await sim.post("/sim/hold", json={"hold": False})

    assert (status, json.loads(body)["hold"]) == (200, False)
    assert (await pending).sid == record.sid
    assert json.loads((await sim.get("/sim/held"))[1]) == {"held": 0}


async def test_hold_is_set_over_http(sim, receiver):
    await sim.post("/sim/hold", json={"hold": True})
    pending = asyncio.ensure_future(call_agent(sim, receiver, to="+31687650002"))
    await sim.carrier.wait_held(1)
    sim.carrier.release()
    assert (await pending).sid == sim.carrier.calls[0].sid


# --- Callbacks ------------------------------------------------------------------------------


async def test_a_failing_callback_is_retried_in_order(sim, receiver):
    receiver.plans["/sms-status"] = Plan(failures=2)

    await send_text(sim, receiver)

    await until(lambda: receiver.statuses("/sms-status", "MessageStatus") == ["sent", "delivered"])
    assert receiver.plans["/sms-status"].failures == 0  # both failures were retried


async def test_a_callback_that_never_answers_disturbs_nothing_else(sim, receiver):
    receiver.plans["/hangs"] = Plan(hang=True)
    await sim.client.messages.create_async(
        to=MOBILE, from_=OURS, body="Hallo", status_callback=receiver.url("/hangs")
    )

    other = await send_text(sim, receiver, to="+31611111111")

    await until(lambda: receiver.statuses("/sms-status", "MessageStatus") == ["sent", "delivered"])
    assert (await sim.client.messages(other.sid).fetch_async()).status == "delivered"
    assert receiver.params("/hangs") == []


async def test_callbacks_can_be_switched_off(receiver):
    async with serving(sim_config(receiver, callbacks=False)) as sim:
        message = await send_text(sim, receiver)
        await until(lambda: sim.carrier.message(message.sid).status == "delivered")
    assert receiver.hits == []


# --- The demo phone -------------------------------------------------------------------------


async def test_the_phone_shows_what_a_number_received(sim, receiver):
    await send_text(sim, receiver, body="Hoe gaat het <met u>?")

    status, numbers = await sim.get("/sim/phone")
    _, thread = await sim.get(f"/sim/phone/{MOBILE}")

    assert status == 200 and MOBILE in numbers and 'lang="nl"' in numbers
    assert "Hoe gaat het &lt;met u&gt;?" in thread
    assert '<label for="antwoord">Uw antwoord</label>' in thread
    assert "Versturen" in thread


async def test_a_reply_reaches_the_service_signed_and_its_answer_shows(sim, receiver):
    receiver.plans["/sms"] = Plan(
        200, "<Response><Message>Dank u wel. U hoort van ons.</Message></Response>"
    )
    await send_text(sim, receiver)

    status, thread = await sim.post(f"/sim/phone/{MOBILE}/antwoord", data={"antwoord": " 1 "})

    assert status == 200
    assert "Uw antwoord is verstuurd." in thread
    assert "Dank u wel. U hoort van ons." in thread
    (inbound,) = receiver.params("/sms")
    assert re.fullmatch(SID_PATTERN.format("SM"), inbound["MessageSid"])
    assert inbound | {"MessageSid": "", "SmsSid": "", "SmsMessageSid": ""} == {
        "MessageSid": "",
        "SmsSid": "",
        "SmsMessageSid": "",
        "AccountSid": SID,
        "From": MOBILE,
        "To": OURS,
        "Body": "1",
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
        "FromCountry": "NL",
        "ToCountry": "NL",
    }
    directions = [(m.direction, m.body) for m in sim.carrier.messages]
    assert directions[1:] == [("inbound", "1"), ("outbound-reply", "Dank u wel. U hoort van ons.")]


async def test_a_reply_from_a_phone_that_got_nothing_goes_to_our_number(sim, receiver):
    status, _ = await sim.post("/sim/phone/0611111111/antwoord", data={"antwoord": "Wie is dit?"})
    assert status == 200
    (inbound,) = receiver.params("/sms")
    assert (inbound["From"], inbound["To"]) == ("+31611111111", OURS)


async def test_a_reply_the_service_refuses_says_so_in_dutch(sim, receiver):
    receiver.plans["/sms"] = Plan(500)

    status, thread = await sim.post(f"/sim/phone/{MOBILE}/antwoord", data={"antwoord": "STOP"})

    assert status == 502
    assert "Uw antwoord kwam niet aan bij de gemeente. Probeer het later nog eens." in thread
    assert ">STOP</textarea>" in thread  # nothing typed is lost
    status, empty = await sim.post(f"/sim/phone/{MOBILE}/antwoord", data={"antwoord": "  "})
    assert status == 400 and "Typ eerst uw antwoord." in empty


async def test_the_phone_hangs_up_a_call_in_progress(sim, receiver):
    agent, resident_sid = await bridged_call(sim, receiver)

    _, thread = await sim.get(f"/sim/phone/{MOBILE}")
    assert "Ophangen" in thread and "in gesprek" in thread
    status, _ = await sim.post(f"/sim/phone/{MOBILE}/ophangen/{resident_sid}")

    assert status == 200
    await final_status(sim, agent.sid, "completed")
    assert sim.carrier.call(resident_sid).status == "completed"
    _, thread = await sim.get(f"/sim/phone/{MOBILE}")
    assert "Ophangen" not in thread and "beëindigd na" in thread


# --- The command ----------------------------------------------------------------------------


@pytest.fixture
def sim_process(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = subprocess.Popen(
        [str(FOLLOWUP), "sim-carrier", "--port", "0", "--pace", "0.01"],
        cwd=tmp_path,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first_line = process.stdout.readline()  # says where it serves, once it does
        started = re.search(r"draait op (http://[^/\s]+)/", first_line)
        assert started, f"{first_line!r} {process.stderr.read() if process.poll() else ''}"
        yield process, started[1]
    finally:
        process.terminate()
        process.wait(timeout=20)
        process.stdout.close()
        process.stderr.close()


def test_followup_sim_carrier_serves_until_stopped(sim_process):
    process, base = sim_process
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/sim/messages", timeout=2) as response:
                assert json.load(response) == []
            break
        except OSError:
            assert process.poll() is None, process.stderr.read()
            assert time.monotonic() < deadline, "sim-carrier did not answer in time"
            time.sleep(0.1)
    process.terminate()
    assert process.wait(timeout=20) == 0
