"""The demo phone (`/sim/phone`): plays the residents' phones in Dutch. It shows what each
number received, lets a call in progress be hung up, and sends a reply to the service as an
inbound SMS. Server-rendered, no JavaScript; it refreshes itself while something moves."""

import contextlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp_jinja2
import jinja2
from aiohttp import web

from dialer.sim.behaviour import CallStatus, destination
from dialer.sim.carrier import CARRIER, SimCarrier
from dialer.sim.errors import CarrierError
from dialer.sim.messages import INBOUND
from dialer.sim.records import CallRecord, MessageRecord

routes = web.RouteTableDef()

TEMPLATES = web.AppKey("sim_templates", jinja2.Environment)
ZONE = ZoneInfo("Europe/Amsterdam")
MAX_REPLY = 1600  # Twilio's longest message

NOT_DELIVERED_TO_SERVICE = "Uw antwoord kwam niet aan bij de gemeente. Probeer het later nog eens."
EMPTY_REPLY = "Typ eerst uw antwoord."
TOO_LONG_REPLY = f"Uw antwoord is te lang. Gebruik niet meer dan {MAX_REPLY} tekens."
MESSAGE_STATUS_NL = {
    "queued": "onderweg",
    "sent": "onderweg",
    "delivered": "ontvangen",
    "received": "verstuurd",
}
CALL_STATUS_NL = {
    CallStatus.QUEUED: "wordt opgezet",
    CallStatus.RINGING: "gaat over",
    CallStatus.IN_PROGRESS: "in gesprek",
    CallStatus.BUSY: "bezet",
    CallStatus.NO_ANSWER: "niet opgenomen",
    CallStatus.FAILED: "mislukt",
    CallStatus.CANCELED: "afgebroken voordat u opnam",
}


def setup_templates(app: web.Application) -> None:
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
        autoescape=True,
        app_key=TEMPLATES,
    )


@dataclass(frozen=True, slots=True)
class Item:
    """One line in a phone's thread: a text or a call."""

    moment: datetime
    heading: str
    status: str
    text: str | None = None
    mine: bool = False
    hang_up_url: str | None = None
    moving: bool = False  # still changing: the page refreshes itself

    @property
    def time(self) -> str:
        return self.moment.astimezone(ZONE).strftime("%d-%m %H:%M:%S")


def _message_item(message: MessageRecord) -> Item:
    if message.direction == INBOUND:
        return Item(message.created, "Uw antwoord", "verstuurd", message.body, mine=True)
    status = MESSAGE_STATUS_NL.get(message.status, f"niet aangekomen (fout {message.error_code})")
    return Item(
        message.created,
        f"Sms van {message.from_}",
        status,
        message.body,
        moving=message.status in ("queued", "sent"),
    )


def _call_item(request: web.Request, number: str, call: CallRecord) -> Item:
    status = CALL_STATUS_NL.get(call.status, "beëindigd")
    if call.status == CallStatus.COMPLETED:
        status = f"beëindigd na {call.duration} seconden"
    hang_up_url = None
    if call.status == CallStatus.IN_PROGRESS:
        hang_up_url = str(request.app.router["phone_hang_up"].url_for(number=number, sid=call.sid))
    return Item(
        call.created,
        f"Oproep van {call.from_}",
        status,
        hang_up_url=hang_up_url,
        moving=not call.is_final,
    )


def _phone_of(message: MessageRecord) -> str:
    """The resident's number: who sent it when it came in, who got it otherwise."""
    return message.from_ if message.direction == INBOUND else message.to


def _thread(request: web.Request, carrier: SimCarrier, number: str) -> list[Item]:
    items = [_message_item(message) for message in carrier.messages if _phone_of(message) == number]
    items += [_call_item(request, number, call) for call in carrier.calls if call.to == number]
    return sorted(items, key=lambda item: item.moment)


def _thread_page(
    request: web.Request,
    number: str,
    *,
    reply: str = "",
    error: str | None = None,
    status: int = 200,
) -> web.Response:
    carrier = request.app[CARRIER]
    items = _thread(request, carrier, number)
    context: dict[str, Any] = {
        "number": number,
        "items": items,
        "moving": any(item.moving for item in items),
        "can_reply": carrier.config.inbound_sms_url is not None,
        "reply_url": request.app.router["phone_reply"].url_for(number=number),
        "index_url": request.app.router["phone_index"].url_for(),
        "reply": reply,
        "error": error,
        "sent": "verstuurd" in request.query,
    }
    return aiohttp_jinja2.render_template(
        "thread.html", request, context, status=status, app_key=TEMPLATES
    )


def _number(request: web.Request) -> str:
    return destination(request.match_info["number"]).identity


@routes.get("/sim/phone", name="phone_index")
async def index(request: web.Request) -> web.Response:
    carrier = request.app[CARRIER]
    latest: dict[str, datetime] = {}
    for message in carrier.messages:
        latest[_phone_of(message)] = message.created
    for call in carrier.calls:
        latest[call.to] = max(call.created, latest.get(call.to, call.created))
    router = request.app.router
    numbers = [
        {"number": number, "url": router["phone_thread"].url_for(number=number)}
        for number in sorted(latest, key=latest.__getitem__, reverse=True)
    ]
    context = {"numbers": numbers, "index_url": router["phone_index"].url_for()}
    return aiohttp_jinja2.render_template("numbers.html", request, context, app_key=TEMPLATES)


@routes.get("/sim/phone/{number}", name="phone_thread")
async def thread(request: web.Request) -> web.Response:
    return _thread_page(request, _number(request))


@routes.post("/sim/phone/{number}/antwoord", name="phone_reply")
async def reply(request: web.Request) -> web.Response:
    number = _number(request)
    form = await request.post()
    text = str(form.get("antwoord", "")).strip()
    if not text:
        return _thread_page(request, number, error=EMPTY_REPLY, status=400)
    if len(text) > MAX_REPLY:
        return _thread_page(request, number, reply=text, error=TOO_LONG_REPLY, status=400)
    if not await request.app[CARRIER].reply(number, text):
        return _thread_page(request, number, reply=text, error=NOT_DELIVERED_TO_SERVICE, status=502)
    location = request.app.router["phone_thread"].url_for(number=number)
    raise web.HTTPSeeOther(location.with_query(verstuurd=1))


@routes.post("/sim/phone/{number}/ophangen/{sid}", name="phone_hang_up")
async def hang_up(request: web.Request) -> web.Response:
    number = _number(request)
    carrier = request.app[CARRIER]
    call = carrier.call(request.match_info["sid"])
    if call is None or call.to != number:
        raise web.HTTPNotFound(text="Dit gesprek bestaat niet.")
    with contextlib.suppress(CarrierError):  # it ended meanwhile: nothing to hang up
        carrier.hang_up(call.sid)
    raise web.HTTPSeeOther(request.app.router["phone_thread"].url_for(number=number))
