"""SMS, calls and number lookups through Twilio's REST API with the official library, or
through the simulated carrier, which speaks the same API.

Each answer becomes one of three results: accepted (with the carrier's SID), rejected
(nothing was sent; the error code says why) or unsure (a timeout, a 5xx, an answer that is
not JSON: the carrier may have sent it, so the reconciler asks before anything is sent
again). A connection that could not even be opened sent nothing: the carrier is unreachable,
an outage that holds the attempt without counting it as a try.
"""

import json
import logging
from collections.abc import Collection
from typing import Any

import aiohttp
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from dialer.twilio_http import CarrierHttpClient
from followup.carrier_urls import CarrierUrls
from followup.rules.carrier_errors import MAX_DETAIL, Failure, Rejected, classify_rejection
from followup.rules.domain import CallLeg
from followup.rules.phones import mask_numbers
from followup.services.ports import Accepted, LookupResult, Outbound, SendResult, Unsure

log = logging.getLogger(__name__)

CALL_EVENTS = ["initiated", "ringing", "answered", "completed"]
RING_SECONDS = 25  # how long the agent's phone rings before the carrier gives up
RECENT = 20  # how many of a number's latest messages or calls the reconciler looks through


def _rejected(error: TwilioRestException) -> Rejected:
    status = getattr(error, "status", 0) or 0
    code = getattr(error, "code", None)
    message = mask_numbers(str(getattr(error, "msg", "") or "")).removeprefix(
        "Unable to create record: "
    )
    detail = f"HTTP {status}, fout {code}: {message}" if message else f"HTTP {status}, fout {code}"
    return Rejected(classify_rejection(status, code), code, detail[:MAX_DETAIL])


async def _guarded(request: Any) -> Any:
    """Run a carrier request; a failure comes back as a result instead of an exception."""
    try:
        return await request
    except TwilioRestException as error:
        return _rejected(error)
    except aiohttp.ClientConnectorError as error:  # refused, unreachable, name not found
        return Rejected(Failure.UNREACHABLE, None, f"geen verbinding: {type(error).__name__}")
    except (TimeoutError, aiohttp.ClientError, json.JSONDecodeError, TwilioException) as error:
        return Unsure(f"geen duidelijk antwoord: {type(error).__name__}")


def _sent(answer: Any) -> SendResult:
    """A created message or call as the dialer records it."""
    return answer if isinstance(answer, (Rejected, Unsure)) else Accepted(answer.sid, answer.status)


class TwilioCarrier:
    """One client for the process, made inside the running event loop; close it at the end."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        sender: str,
        api_base: str,
        urls: CarrierUrls,
        timeout: float,
    ) -> None:
        self.http = CarrierHttpClient(api_base, timeout)
        self.client = Client(account_sid, auth_token, http_client=self.http)
        self.sender = sender
        self.urls = urls
        self.sms = TwilioSms(self)
        self.voice = TwilioVoice(self)

    async def close(self) -> None:
        await self.http.close()

    async def lookup(self, e164: str) -> LookupResult | None:
        """What Lookup v2 says of a number; None when it could not be asked."""
        answer = await _guarded(
            self.client.lookups.v2.phone_numbers(e164).fetch_async(fields="line_type_intelligence")
        )
        if isinstance(answer, (Rejected, Unsure)):
            log.warning("number lookup failed: %s", answer.detail)
            return None
        line = answer.line_type_intelligence or {}
        kind = line.get("type")
        verdict = "geldig" if answer.valid else "ongeldig"
        return LookupResult(
            valid=bool(answer.valid),
            mobile=None if kind is None else kind == "mobile",
            detail=f"Lookup: {verdict}, soort {kind or 'onbekend'}",
        )


class TwilioSms:
    def __init__(self, carrier: TwilioCarrier) -> None:
        self.carrier = carrier

    async def send(self, outbound: Outbound) -> SendResult:
        answer = await _guarded(
            self.carrier.client.messages.create_async(
                to=outbound.to,
                from_=self.carrier.sender,
                body=outbound.body,
                status_callback=self.carrier.urls.sms_status(outbound.attempt_id),
            )
        )
        return _sent(answer)

    async def find(
        self, outbound: Outbound, known_sids: Collection[str]
    ) -> Accepted | Unsure | None:
        """The same text to the same number, not yet another attempt's."""
        answer = await _guarded(
            self.carrier.client.messages.list_async(
                to=outbound.to, from_=self.carrier.sender, limit=RECENT
            )
        )
        if isinstance(answer, Rejected | Unsure):
            return Unsure(answer.detail)
        for message in answer:
            if message.sid not in known_sids and message.body == outbound.body:
                return Accepted(message.sid, message.status)
        return None


class TwilioVoice:
    """A click-to-call: the carrier rings the agent's own phone; when they answer, it asks
    the bridge webhook whom to connect them to."""

    def __init__(self, carrier: TwilioCarrier) -> None:
        self.carrier = carrier

    async def send(self, outbound: Outbound) -> SendResult:
        urls = self.carrier.urls
        answer = await _guarded(
            self.carrier.client.calls.create_async(
                to=outbound.agent_phone,
                from_=self.carrier.sender,
                url=urls.bridge(outbound.attempt_id),
                method="POST",
                status_callback=urls.call_status(outbound.attempt_id, CallLeg.AGENT.value),
                status_callback_event=CALL_EVENTS,
                status_callback_method="POST",
                timeout=RING_SECONDS,
            )
        )
        return _sent(answer)

    async def find(
        self, outbound: Outbound, known_sids: Collection[str]
    ) -> Accepted | Unsure | None:
        """A call to the agent's phone that no other attempt has: an agent makes one call
        at a time."""
        answer = await _guarded(
            self.carrier.client.calls.list_async(
                to=outbound.agent_phone, from_=self.carrier.sender, limit=RECENT
            )
        )
        if isinstance(answer, Rejected | Unsure):
            return Unsure(answer.detail)
        for call in answer:
            if call.sid not in known_sids:
                return Accepted(call.sid, call.status)
        return None
