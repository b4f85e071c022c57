"""The agents' queue (`/belwachtrij`): residents who asked to be called at the top, then the
calls that are due, the replies waiting to be read, and the agent's own calls as they go.
The lists follow what happens live: the page keeps a server-sent event stream open and
gets the lists again whenever they change. Thin: ask a service, render Dutch text."""

import aiohttp_jinja2
from aiohttp import web
from yarl import URL

from followup.app_keys import CALENDAR, CLOCK, DISPATCH_SOON, RULES, SESSIONS, SETTINGS
from followup.rules.care import is_overdue
from followup.rules.domain import OUTCOME_LABELS_NL, Role
from followup.rules.sms_replies import ANSWER_CHOICES, Reply, ReplyKind
from followup.services.agent_queue import (
    AgentQueue,
    agent_queue,
    decide_on_reply,
    waiting_call,
)
from followup.services.card_contact import call_from_card
from followup.services.care import my_care
from followup.services.refusals import REFUSALS, QueueRefusal
from followup.services.sign_in import SignedIn
from followup.web.access import STAFF, allow, signed_in
from followup.web.card_text import call_progress
from followup.web.console_pages import card_url
from followup.web.live_pages import stream_changes

routes = web.RouteTableDef()
QUEUE_PATH = "/belwachtrij"

_WISHES = {ReplyKind.CALL_ME: "Wil gebeld worden", ReplyKind.OPT_OUT: "Wil geen contact meer"}


def _decision_label(reply: Reply) -> str:
    """The response page's answers, in the words the team uses for them."""
    if reply.kind is ReplyKind.OUTCOME:
        return OUTCOME_LABELS_NL[reply.category]
    return _WISHES[reply.kind]


# What an agent may decide a reply means: the answers a resident can give on the page.
DECISIONS = {value: (_decision_label(reply), reply) for value, (_, reply) in ANSWER_CHOICES.items()}


def _render(request: web.Request, queue: AgentQueue, agent: SignedIn) -> str:
    context = {
        "queue": queue,
        "agent": agent,
        "progress": lambda call: call_progress(call.state, call.carrier_status),
        "choices": [(value, label) for value, (label, _) in DECISIONS.items()],
        "zone": request.app[SETTINGS].zone,
    }
    return aiohttp_jinja2.render_string("queue_lists.html", request, context)


@routes.get(QUEUE_PATH)
@allow(*STAFF)
async def queue_page(request: web.Request) -> web.Response:
    agent = signed_in(request)
    now = request.app[CLOCK]()
    queue = await agent_queue(request.app[SESSIONS], agent, now)
    today = request.app[CALENDAR].local_date(now)
    context = {
        "lists": _render(request, queue, agent),
        "agent": agent,
        # The care follow-ups this colleague was named for, with their deadline.
        "care": [
            (care, is_overdue(care.deadline, today))
            for care in await my_care(request.app[SESSIONS], agent)
        ],
        # A code, never text: no link can put words of its own in the alert.
        "notice": REFUSALS.get(request.query.get("melding", "")),
    }
    response = aiohttp_jinja2.render_template("queue.html", request, context)
    response.headers["Cache-Control"] = "no-store"
    return response


@routes.get(QUEUE_PATH + "/live")
@allow(*STAFF)
async def live(request: web.Request) -> web.StreamResponse:
    def render(agent: SignedIn, queue: AgentQueue) -> str:
        return _render(request, queue, agent)

    return await stream_changes(request, frozenset(STAFF), "wachtrij", render)


def _back(refusal: QueueRefusal | None = None) -> web.HTTPSeeOther:
    url = URL(QUEUE_PATH)
    return web.HTTPSeeOther(url.with_query(melding=refusal.code) if refusal else url)


@routes.post(QUEUE_PATH + "/gesprekken/{attempt_id:\\d+}")
@allow(Role.AGENT)
async def take(request: web.Request) -> web.StreamResponse:
    """The list's "Bel …": the call goes as from the resident's card, with the card's rules
    (the resident is leased to the agent, who then records the result there)."""
    app, agent = request.app, signed_in(request)
    now = app[CLOCK]()
    try:
        client_id, follow_up_id = await waiting_call(
            app[SESSIONS], int(request.match_info["attempt_id"]), now
        )
        await call_from_card(
            app[SESSIONS],
            client_id,
            follow_up_id,
            agent,
            now,
            await app[RULES].get(),
            app[CALENDAR],
        )
    except QueueRefusal as refusal:
        raise _back(refusal) from None
    app[DISPATCH_SOON]()  # the agent's phone rings now, not at the next tick
    raise web.HTTPSeeOther(card_url(client_id, "bellen"))


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
