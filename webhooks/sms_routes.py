"""Inbound SMS from residents (CONTRACT section 5): check the signature, hand the message to
the replies service, answer with TwiML that holds the confirmation, if any."""

from collections.abc import Mapping

from aiohttp import web
from twilio.twiml.messaging_response import MessagingResponse

from followup.app_keys import CALENDAR, CLOCK, SESSIONS
from followup.carrier_urls import SMS_PATH
from followup.services.replies import MAX_BODY, InboundSms, receive_sms
from followup.web.access import public
from webhooks.form_fields import required
from webhooks.signature import signed_form
from webhooks.spool import Spooled, or_spooled

routes = web.RouteTableDef()


@routes.post(SMS_PATH)
@public("the carrier's signature is checked")
async def inbound_sms(request: web.Request) -> web.Response:
    """While the database cannot be reached, the message is kept in the spool and answered
    without a confirmation: the carrier would not send it again after an error."""
    form = await signed_form(request)
    sms = _parsed(form)
    app = request.app
    confirmation = await or_spooled(
        request, KIND, form, receive_sms(app[SESSIONS], sms, app[CLOCK](), app[CALENDAR])
    )
    response = MessagingResponse()
    if confirmation:
        response.message(confirmation)
    return web.Response(text=str(response), content_type="text/xml")


KIND = "sms"


def _parsed(form: Mapping[str, str]) -> InboundSms:
    body = form.get("Body", "")
    if len(body) > MAX_BODY:
        raise web.HTTPBadRequest(text="Body is too long")
    return InboundSms(
        sid=required(form, "MessageSid"),
        from_number=required(form, "From", max_length=32),
        to_number=required(form, "To", max_length=32),
        body=body,
        opt_out_type=form.get("OptOutType") or None,
    )


async def replay(app: web.Application, item: Spooled) -> None:
    """A kept message, applied late: its confirmation is not sent (the moment has passed;
    the resident's choice is recorded all the same)."""
    await receive_sms(app[SESSIONS], _parsed(item.form), app[CLOCK](), app[CALENDAR])
