"""The carrier-facing endpoints of CONTRACT section 5 for messages and calls: check the
signature, parse, call a service, answer. The answer comes after the service committed (or
the callback was kept in the spool while the database is down), so a callback the carrier
sees acknowledged is never lost."""

from collections.abc import Mapping

from aiohttp import web
from twilio.twiml.voice_response import VoiceResponse

from followup.app_keys import CLOCK, SESSIONS, SETTINGS, STATUS_BATCHES
from followup.carrier_urls import BRIDGE_PATH, CALL_STATUS_PATH, SMS_STATUS_PATH, CarrierUrls
from followup.rules.carrier_status import MAX_ANSWERED_BY, MAX_SID, MAX_STATUS, StatusReport
from followup.rules.domain import CallLeg, CarrierResource
from followup.services.voice_bridge import bridge_number
from followup.web.access import public
from webhooks.form_fields import optional_int, optional_text, required
from webhooks.signature import signed_form
from webhooks.spool import Spooled, or_spooled

routes = web.RouteTableDef()

CLIENT_LEG_EVENTS = "initiated ringing answered completed"
CLIENT_RING_SECONDS = 30
NOT_TO_BE_CALLED = "Deze inwoner bellen we nu niet meer. Het gesprek wordt beëindigd."


@routes.post(SMS_STATUS_PATH)
@public("the carrier's signature is checked")
async def sms_status(request: web.Request) -> web.Response:
    return await _status(request, SMS_STATUS)


@routes.post(CALL_STATUS_PATH)
@public("the carrier's signature is checked")
async def call_status(request: web.Request) -> web.Response:
    return await _status(request, CALL_STATUS)


async def _status(request: web.Request, kind: str) -> web.Response:
    """Answered after the report is stored, or, while the database cannot be reached, after
    it is kept in the spool: a callback answered 2xx is never lost."""
    form = await signed_form(request)
    report = _REPORTS[kind](form, request.query)
    await or_spooled(request, kind, form, request.app[STATUS_BATCHES].store(report))
    return web.Response(status=200)  # empty: Twilio only needs a 2xx


async def replay_status(app: web.Application, item: Spooled) -> None:
    await app[STATUS_BATCHES].store(_REPORTS[item.kind](item.form, item.query))


def _sms_report(form: Mapping[str, str], query: Mapping[str, str]) -> StatusReport:
    return StatusReport(
        resource=CarrierResource.MESSAGE,
        sid=required(form, "MessageSid", max_length=MAX_SID),
        status=required(form, "MessageStatus", MAX_STATUS, lower=True),
        attempt_id=optional_int(query.get("attempt"), "attempt"),
        error_code=optional_int(form.get("ErrorCode"), "ErrorCode"),
        payload=dict(form),
    )


def _call_report(form: Mapping[str, str], query: Mapping[str, str]) -> StatusReport:
    try:
        leg = CallLeg(query.get("leg", CallLeg.CLIENT.value))
    except ValueError:
        raise web.HTTPBadRequest(text="leg must be agent or client") from None
    return StatusReport(
        resource=CarrierResource.CALL,
        sid=required(form, "CallSid", max_length=MAX_SID),
        status=required(form, "CallStatus", MAX_STATUS, lower=True),
        attempt_id=optional_int(query.get("attempt"), "attempt"),
        leg=leg,
        error_code=optional_int(form.get("ErrorCode"), "ErrorCode"),
        sip_response_code=optional_int(form.get("SipResponseCode"), "SipResponseCode"),
        duration_seconds=optional_int(form.get("CallDuration"), "CallDuration"),
        answered_by=optional_text(form, "AnsweredBy", max_length=MAX_ANSWERED_BY),
        payload=dict(form),
    )


SMS_STATUS, CALL_STATUS = "sms-status", "call-status"
_REPORTS = {SMS_STATUS: _sms_report, CALL_STATUS: _call_report}


@routes.post(BRIDGE_PATH)
@public("the carrier's signature is checked")
async def bridge(request: web.Request) -> web.Response:
    """TwiML for the agent's leg once they answer: dial the resident, or, when the resident
    must no longer be called, tell the agent so and hang up."""
    form = await signed_form(request)
    attempt_id = optional_int(request.query.get("attempt"), "attempt")
    if attempt_id is None:
        raise web.HTTPBadRequest(text="attempt is missing")
    settings = request.app[SETTINGS]
    number = await bridge_number(
        request.app[SESSIONS],
        attempt_id=attempt_id,
        call_sid=required(form, "CallSid", max_length=MAX_SID),
        now=request.app[CLOCK](),
    )
    response = VoiceResponse()
    if number is None:
        response.say(NOT_TO_BE_CALLED, language="nl-NL")
        response.hangup()
    else:
        dial = response.dial(
            caller_id=settings.twilio_from, timeout=CLIENT_RING_SECONDS, answer_on_bridge=True
        )
        dial.number(
            number,
            status_callback=CarrierUrls(settings.public_url).call_status(
                attempt_id, CallLeg.CLIENT.value
            ),
            status_callback_event=CLIENT_LEG_EVENTS,
            status_callback_method="POST",
        )
    return web.Response(text=str(response), content_type="text/xml")
