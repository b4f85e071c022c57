"""The agents' queue (`/belwachtrij`): residents who asked to be called at the top, then the
calls that are due, the replies waiting to be read, and the agent's own calls as they go.
The lists follow what happens live: the page keeps a server-sent event stream open and
gets the lists again whenever they change. Thin: ask a service, render Dutch text."""

import asyncio

import aiohttp_jinja2
from aiohttp import web
from aiohttp_sse import EventSourceResponse
from yarl import URL

from followup.app_keys import CLOCK, DISPATCH_SOON, LIVE_STREAMS, SESSIONS, SETTINGS
from followup.rules.domain import OUTCOME_LABELS_NL, AttemptState, Role
from followup.rules.sms_replies import ANSWER_CHOICES, Reply, ReplyKind
from followup.services.agent_queue import (
    AgentCall,
    AgentQueue,
    QueueRefusal,
    agent_queue,
    decide_on_reply,
    take_call,
)
from followup.services.sign_in import SignedIn
from followup.web.access import STAFF, allow, check_user, signed_in

routes = web.RouteTableDef()
QUEUE_PATH = "/belwachtrij"
LOOK_EVERY = 1.0  # seconds between looks at the database for a live page
KEEP_ALIVE = 15.0  # seconds: a comment line, so a closed page is noticed and proxies wait

# The resident's leg as the carrier reports it, in the agent's words.
_CARRIER_STATUS = {
    "queued": "De inwoner wordt gebeld",
    "initiated": "De inwoner wordt gebeld",
    "ringing": "De telefoon van de inwoner gaat over",
    "in-progress": "In gesprek met de inwoner",
    "completed": "Gesprek afgelopen",
    "busy": "In gesprek: bezet",
    "no-answer": "Niet opgenomen",
    "failed": "Het nummer werkt niet",
    "canceled": "Afgebroken",
}
_BEFORE_THE_RESIDENT = {
    AttemptState.QUEUED: "Uw telefoon gaat zo over",
    AttemptState.SENDING: "Uw telefoon gaat over",
    AttemptState.SENT: "Uw telefoon gaat over",
    AttemptState.FAILED: "U nam niet op",
    AttemptState.CANCELLED: "Niet meer nodig",
}
_WISHES = {ReplyKind.CALL_ME: "Wil gebeld worden", ReplyKind.OPT_OUT: "Wil geen contact meer"}


def _decision_label(reply: Reply) -> str:
    """The response page's answers, in the words the team uses for them."""
    if reply.kind is ReplyKind.OUTCOME:
        return OUTCOME_LABELS_NL[reply.category]
    return _WISHES[reply.kind]


# What an agent may decide a reply means: the answers a resident can give on the page.
DECISIONS = {value: (_decision_label(reply), reply) for value, (_, reply) in ANSWER_CHOICES.items()}


def call_progress(call: AgentCall) -> str:
    if call.carrier_status in _CARRIER_STATUS:
        return _CARRIER_STATUS[call.carrier_status]
    return _BEFORE_THE_RESIDENT.get(call.state, "Onbekend")


async def close_streams(app: web.Application) -> None:
    """Open pages would otherwise hold the server's shutdown until they are closed."""
    for task in list(app[LIVE_STREAMS]):
        task.cancel()


async def _lists(request: web.Request, agent: SignedIn, seen: AgentQueue | None) -> AgentQueue:
    app = request.app
    return await agent_queue(app[SESSIONS], agent, app[CLOCK](), unless_same_as=seen)


def _render(request: web.Request, queue: AgentQueue, agent: SignedIn) -> str:
    context = {
        "queue": queue,
        "agent": agent,
        "progress": call_progress,
        "choices": [(value, label) for value, (label, _) in DECISIONS.items()],
        "zone": request.app[SETTINGS].zone,
    }
    return aiohttp_jinja2.render_string("queue_lists.html", request, context)


@routes.get(QUEUE_PATH)
@allow(*STAFF)
async def queue_page(request: web.Request) -> web.Response:
    agent = signed_in(request)
    queue = await _lists(request, agent, None)
    context = {
        "lists": _render(request, queue, agent),
        "agent": agent,
        "notice": NOTICES.get(request.query.get("melding", "")),
    }
    response = aiohttp_jinja2.render_template("queue.html", request, context)
    response.headers["Cache-Control"] = "no-store"
    return response


@routes.get(QUEUE_PATH + "/live")
@allow(*STAFF)
async def live(request: web.Request) -> web.StreamResponse:
    """Server-sent events: the lists again each time they change. aiohttp-sse sends the
    keep-alive comment and notices a closed page through it."""
    agent = signed_in(request)
    stream = EventSourceResponse(ping_interval=KEEP_ALIVE, sep="\n")
    stream.headers["Cache-Control"] = "no-store"  # residents' data: no proxy keeps a copy
    await stream.prepare(request)
    request.app[LIVE_STREAMS].add(asyncio.current_task())
    seen = None
    try:
        async with stream:
            while stream.is_connected():
                queue = await _lists(request, agent, seen)
                if queue != seen:
                    # Still signed in, and still allowed? A stream can stay open all day.
                    agent = await check_user(request, frozenset(STAFF))
                    await stream.send(_render(request, queue, agent), event="wachtrij")
                    seen = queue
                await asyncio.sleep(LOOK_EVERY)
    # Closed, or stopped reading (aiohttp-sse gives up on a send after its send_timeout), or
    # its user may no longer see it.
    except (ConnectionResetError, TimeoutError, web.HTTPException):
        pass
    return stream


# `?melding=` names one of these, never text of its own: a link from elsewhere cannot put
# its words in the page's alert box. A refusal is shown by its code; one not listed here
# gets the general one.
NOTICES = {
    "al-opgepakt": "Dit gesprek is al door een collega opgepakt.",
    "geen-telefoon": "Er staat geen telefoonnummer bij uw account. Vraag de beheerder.",
    "al-gelezen": "Dit antwoord is al door een collega gelezen.",
    "meer-inwoners": "Dit nummer hoort bij meer inwoners: u kunt alleen 'gelezen' kiezen.",
    "mislukt": "Dat lukte niet. Laad de pagina opnieuw en probeer het nog een keer.",
}
_CODES = {text: code for code, text in NOTICES.items()}


def _back(refusal: QueueRefusal | None = None) -> web.HTTPSeeOther:
    url = URL(QUEUE_PATH)
    if refusal is None:
        return web.HTTPSeeOther(url)
    return web.HTTPSeeOther(url.with_query(melding=_CODES.get(str(refusal), "mislukt")))


@routes.post(QUEUE_PATH + "/gesprekken/{attempt_id:\\d+}")
@allow(Role.AGENT)
async def take(request: web.Request) -> web.StreamResponse:
    agent = signed_in(request)
    attempt_id = int(request.match_info["attempt_id"])
    try:
        await take_call(request.app[SESSIONS], attempt_id, agent, request.app[CLOCK]())
    except QueueRefusal as refusal:
        raise _back(refusal) from None
    request.app[DISPATCH_SOON]()  # the agent's phone rings now, not at the next tick
    raise _back()


@routes.post(QUEUE_PATH + "/antwoorden/{message_id:\\d+}")
@allow(*STAFF)
async def decide(request: web.Request) -> web.StreamResponse:
    agent = signed_in(request)
    form = await request.post()
    choice = str(form.get("keuze", ""))
    if choice != "gelezen" and choice not in DECISIONS:
        raise web.HTTPBadRequest(text="keuze is onbekend")
    message_id = int(request.match_info["message_id"])
    try:
        await decide_on_reply(
            request.app[SESSIONS],
            message_id,
            DECISIONS[choice][1] if choice in DECISIONS else None,
            agent,
            request.app[CLOCK](),
        )
    except QueueRefusal as refusal:
        raise _back(refusal) from None
    raise _back()
