"""Inbound SMS from residents (CONTRACT section 5): check the signature, hand the message to
the replies service, answer with TwiML that holds the confirmation, if any."""

from aiohttp import web
from twilio.twiml.messaging_response import MessagingResponse

from followup.app_keys import CLOCK, SESSIONS
from followup.carrier_urls import SMS_PATH
from followup.services.replies import MAX_BODY, InboundSms, receive_sms
from followup.web.access import public
from webhooks.form_fields import required
from webhooks.signature import signed_form

routes = web.RouteTableDef()


@routes.post(SMS_PATH)
@public("the carrier's signature is checked")
async def inbound_sms(request: web.Request) -> web.Response:
    form = await signed_form(request)
    body = form.get("Body", "")
    if len(body) > MAX_BODY:
        raise web.HTTPBadRequest(text="Body is too long")
    sms = InboundSms(
        sid=required(form, "MessageSid"),
        from_number=required(form, "From", max_length=32),
        to_number=required(form, "To", max_length=32),
        body=body,
        opt_out_type=form.get("OptOutType") or None,
    )
    confirmation = await receive_sms(request.app[SESSIONS], sms, request.app[CLOCK]())
    response = MessagingResponse()
    if confirmation:
        response.message(confirmation)
    return web.Response(text=str(response), content_type="text/xml")
