"""The carrier-facing endpoints of CONTRACT section 5 for messages and calls: check the
signature, parse, call a service, answer. The answer comes after the service committed, so
a callback the carrier sees acknowledged is never lost."""

from aiohttp import web
from multidict import MultiDictProxy
from twilio.twiml.voice_response import VoiceResponse

from followup.app_keys import CLOCK, RULES, SESSIONS, SETTINGS
from followup.carrier_urls import BRIDGE_PATH, CALL_STATUS_PATH, SMS_STATUS_PATH, CarrierUrls
from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import CarrierResource
from followup.services.attempt_failures import Recovery
from followup.services.carrier_status import Leg, StatusReport, apply_status
from followup.services.voice_bridge import bridge_number
from webhooks.signature import signed_form

routes = web.RouteTableDef()

CLIENT_LEG_EVENTS = "initiated ringing answered completed"
CLIENT_RING_SECONDS = 30
NOT_TO_BE_CALLED = "Deze inwoner bellen we nu niet meer. Het gesprek wordt beëindigd."


def _int(value: str | None, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise web.HTTPBadRequest(text=f"{name} is not a number") from None


def _required(form: MultiDictProxy[str], name: str) -> str:
    value = form.get(name, "").strip()
    if not value or len(value) > 64:
        raise web.HTTPBadRequest(text=f"{name} is missing or too long")
    return value


async def _apply(request: web.Request, report: StatusReport) -> web.Response:
    app = request.app
    recovery = Recovery(await app[RULES].get(), ContactCalendar(app[SETTINGS].zone))
    await apply_status(app[SESSIONS], report, now=request.app[CLOCK](), recovery=recovery)
    return web.Response(status=204)


@routes.post(SMS_STATUS_PATH)
async def sms_status(request: web.Request) -> web.Response:
    form = await signed_form(request)
    report = StatusReport(
        resource=CarrierResource.MESSAGE,
        sid=_required(form, "MessageSid"),
        status=_required(form, "MessageStatus").lower(),
        attempt_id=_int(request.query.get("attempt"), "attempt"),
        error_code=_int(form.get("ErrorCode"), "ErrorCode"),
        payload=dict(form),
    )
    return await _apply(request, report)


@routes.post(CALL_STATUS_PATH)
async def call_status(request: web.Request) -> web.Response:
    form = await signed_form(request)
    try:
        leg = Leg(request.query.get("leg", Leg.CLIENT.value))
    except ValueError:
        raise web.HTTPBadRequest(text="leg must be agent or client") from None
    report = StatusReport(
        resource=CarrierResource.CALL,
        sid=_required(form, "CallSid"),
        status=_required(form, "CallStatus").lower(),
        attempt_id=_int(request.query.get("attempt"), "attempt"),
        leg=leg,
        error_code=_int(form.get("ErrorCode"), "ErrorCode"),
        sip_response_code=_int(form.get("SipResponseCode"), "SipResponseCode"),
        duration_seconds=_int(form.get("CallDuration"), "CallDuration"),
        answered_by=form.get("AnsweredBy") or None,
        payload=dict(form),
    )
    return await _apply(request, report)


@routes.post(BRIDGE_PATH)
async def bridge(request: web.Request) -> web.Response:
    """TwiML for the agent's leg once they answer: dial the resident, or, when the resident
    must no longer be called, tell the agent so and hang up."""
    form = await signed_form(request)
    attempt_id = _int(request.query.get("attempt"), "attempt")
    if attempt_id is None:
        raise web.HTTPBadRequest(text="attempt is missing")
    settings = request.app[SETTINGS]
    number = await bridge_number(
        request.app[SESSIONS],
        attempt_id=attempt_id,
        call_sid=_required(form, "CallSid"),
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
                attempt_id, Leg.CLIENT.value
            ),
            status_callback_event=CLIENT_LEG_EVENTS,
            status_callback_method="POST",
        )
    return web.Response(text=str(response), content_type="text/xml")
