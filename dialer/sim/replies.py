"""A resident's reply from the demo phone: recorded as an inbound text and posted to the
service as Twilio posts an inbound SMS, signed. The <Message>s of its TwiML answer are
sent back to the phone (the confirmation)."""

import logging

import aiohttp

from dialer.sim.behaviour import num_segments
from dialer.sim.callbacks import SignedClient, loggable
from dialer.sim.config import SimConfig
from dialer.sim.messages import MessageFlow
from dialer.sim.records import API_VERSION
from dialer.sim.twiml import TwimlError, message_bodies

log = logging.getLogger(__name__)


async def send_reply(
    config: SimConfig, client: SignedClient, messages: MessageFlow, resident: str, body: str
) -> bool:
    """Whether the service accepted the reply (a 2xx answer)."""
    if config.inbound_sms_url is None:
        return False
    ours = messages.last_sender_to(resident) or config.default_from
    inbound = messages.receive(resident, ours, body)
    params = {
        "MessageSid": inbound.sid,
        "SmsSid": inbound.sid,
        "SmsMessageSid": inbound.sid,
        "AccountSid": config.account_sid,
        "From": resident,
        "To": ours,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": str(num_segments(body)),
        "SmsStatus": "received",
        "ApiVersion": API_VERSION,
        "FromCountry": "NL",
        "ToCountry": "NL",
    }
    try:
        status, answer = await client.send(config.inbound_sms_url, "POST", params)
    except (aiohttp.ClientError, TimeoutError) as error:
        log.warning("inbound SMS not delivered to %s: %s", loggable(config.inbound_sms_url), error)
        return False
    if not 200 <= status < 300:
        log.warning("inbound SMS refused with %d by %s", status, loggable(config.inbound_sms_url))
        return False
    try:
        bodies = message_bodies(answer) if answer.strip() else []
    except TwimlError as error:
        log.warning("answer to an inbound SMS is not TwiML: %s", error)
        bodies = []
    for text in bodies:
        messages.reply(resident, ours, text)
    return True
