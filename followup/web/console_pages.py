"""The agent console: "Volgende inwoner", the resident card with its timeline, calling and
texting from the card, and the wrap-up after a call. Thin: read the form, ask a service,
render Dutch text. A refusal re-renders the page with what happened and what to do; a form
that worked redirects to the card (so a reload sends nothing twice)."""

from datetime import date, datetime, time

import aiohttp_jinja2
from aiohttp import web
from multidict import MultiDictProxy

from followup.app_keys import CALENDAR, CLOCK, DISPATCH_SOON, RULES, SESSIONS, SETTINGS
from followup.dutch import window_text
from followup.rules.attempt_failures import Recovery
from followup.rules.call_parts import PART_NAMES
from followup.rules.care import DEFAULT_WORKING_DAYS, is_overdue, may_hand_over, may_mark
from followup.rules.contact_calendar import ContactCalendar
from followup.rules.domain import Initiative, Role, WrapUpResult
from followup.rules.wrap_up import CLOSING, LABELS_NL, SHORTCUTS, WrapUpProblem, check_wrap_up
from followup.services.card_contact import MAX_SMS, call_from_card, sms_from_card
from followup.services.next_resident import WrapUpFirst, next_resident
from followup.services.refusals import QueueRefusal
from followup.services.resident_card import Card, follow_card, open_card
from followup.services.sign_in import SignedIn
from followup.services.wrap_up import wrap_up
from followup.web import card_text
from followup.web.access import STAFF, allow, signed_in
from followup.web.live_pages import stream_changes

routes = web.RouteTableDef()
QUEUE_PATH = "/belwachtrij"
CARD_PATH = QUEUE_PATH + "/inwoners/{client_id:\\d+}"

# What the card says after a form worked: fixed texts, so no URL can put words on the page.
DONE = {
    "bellen": "Uw telefoon gaat zo over. Neem op: daarna wordt de inwoner gebeld.",
    "sms": "Het bericht staat klaar en gaat binnen de sms-tijden de deur uit.",
    "vastgelegd": "Vastgelegd. U kunt de volgende inwoner nemen.",
    "al-gesloten": (
        "Vastgelegd bij het gesprek. Er was al een uitkomst voor deze inwoner, die blijft staan."
    ),
    "zorg": "Het zorgsignaal staat. Deze inwoner krijgt geen automatische berichten of "
    "oproepen meer. De gekozen collega pakt het op.",
    "al-zorg": "Er stond al een zorgsignaal voor deze inwoner. Er is niets veranderd.",
    "overgedragen": "Vastgelegd: overgedragen aan het WIJ-team. Het nabellen is afgerond.",
    "al-overgedragen": "De overdracht aan het WIJ-team was al vastgelegd. Er is niets veranderd.",
}
FINISHED = ("vastgelegd", "al-gesloten")
# Only a forged or broken form lacks its hidden fields.
INCOMPLETE = "Het formulier is niet compleet. Laad de pagina opnieuw en probeer het nog eens."
RESULT_GROUPS = (
    ("Gesproken: de uitkomst", tuple(CLOSING)),
    (
        "Niet gesproken of later verder",
        (
            WrapUpResult.NO_ANSWER,
            WrapUpResult.VOICEMAIL,
            WrapUpResult.BUSY,
            WrapUpResult.WRONG_NUMBER,
            WrapUpResult.CALL_BACK,
            WrapUpResult.NO_CONTACT_WANTED,
        ),
    ),
)


def card_url(client_id: int, done: str | None = None) -> str:
    url = f"{QUEUE_PATH}/inwoners/{client_id}"
    return f"{url}?gedaan={done}" if done else url


@routes.post(QUEUE_PATH + "/volgende")
@allow(Role.AGENT)
async def take_next(request: web.Request) -> web.StreamResponse:
    app, agent = request.app, signed_in(request)
    try:
        lease = await next_resident(
            app[SESSIONS], agent, app[CLOCK](), await app[RULES].get(), app[CALENDAR]
        )
    except WrapUpFirst as first:
        raise web.HTTPSeeOther(card_url(first.client_id)) from None
    except QueueRefusal as refusal:
        raise web.HTTPSeeOther(f"{QUEUE_PATH}?melding={refusal.code}") from None
    raise web.HTTPSeeOther(card_url(lease.client_id))


@routes.get(CARD_PATH)
@allow(*STAFF)
async def card_page(request: web.Request) -> web.Response:
    viewer = signed_in(request)
    notice = DONE.get(request.query.get("gedaan", ""))
    # Back after recording a result: the agent is done with this resident, who stays free.
    finished = request.query.get("gedaan") in FINISHED
    card = await _card(request, viewer, hold=not finished)
    return await _render(request, viewer, card, notice=notice)


@routes.get(CARD_PATH + "/live")
@allow(*STAFF)
async def card_live(request: web.Request) -> web.StreamResponse:
    def render(viewer: SignedIn, card: Card) -> str:
        return aiohttp_jinja2.render_string(
            "card_live.html", request, _context(request, viewer, card)
        )

    client_id = client_id_of(request)
    await follow_card(request.app[SESSIONS], client_id, signed_in(request), request.app[CLOCK]())
    return await stream_changes(request, frozenset(STAFF), "kaart", render, card_of=client_id)


@routes.post(CARD_PATH + "/bellen")
@allow(Role.AGENT)
async def call(request: web.Request) -> web.StreamResponse:
    app, agent = request.app, signed_in(request)
    form = await request.post()
    try:
        await call_from_card(
            app[SESSIONS],
            client_id_of(request),
            follow_up_id_of(form),
            agent,
            app[CLOCK](),
            await app[RULES].get(),
            app[CALENDAR],
        )
    except QueueRefusal as refusal:
        return await refused_card(request, agent, str(refusal))
    app[DISPATCH_SOON]()  # the agent's phone rings now, not at the next tick
    raise web.HTTPSeeOther(card_url(client_id_of(request), "bellen"))


@routes.post(CARD_PATH + "/sms")
@allow(Role.AGENT)
async def send_sms(request: web.Request) -> web.StreamResponse:
    app, agent = request.app, signed_in(request)
    form = await request.post()
    try:
        await sms_from_card(
            app[SESSIONS],
            client_id_of(request),
            follow_up_id_of(form),
            str(form.get("tekst", "")),
            agent,
            app[CLOCK](),
        )
    except QueueRefusal as refusal:
        return await refused_card(request, agent, str(refusal), form)
    app[DISPATCH_SOON]()
    raise web.HTTPSeeOther(card_url(client_id_of(request), "sms"))


@routes.post(CARD_PATH + "/afronden")
@allow(*STAFF)  # coordinators and admins: only a call an agent left without a result
async def record(request: web.Request) -> web.StreamResponse:
    app, agent = request.app, signed_in(request)
    form = await request.post()
    now = app[CLOCK]()
    try:
        result = _result(form)
        checked = check_wrap_up(
            result,
            now=now,
            calendar=app[CALENDAR],
            call_window=(await app[RULES].get()).call_window,
            note=str(form.get("notitie", "")),
            callback_at=_callback_at(request, form) if result is WrapUpResult.CALL_BACK else None,
            new_phone=str(form.get("nieuw_nummer", "")),
            new_email=str(form.get("nieuw_email", "")),
        )
        done = await wrap_up(
            app[SESSIONS],
            client_id_of(request),
            follow_up_id_of(form),
            _int_or_none(form.get("gesprek")),
            checked,
            agent,
            now,
            Recovery(await app[RULES].get(), app[CALENDAR]),
            seen=_int_or_none(form.get("laatste")),
        )
    except (WrapUpProblem, QueueRefusal) as refusal:
        return await refused_card(request, agent, str(refusal), form)
    app[DISPATCH_SOON]()  # a fallback to another channel goes out now
    done_code = "al-gesloten" if done.closed_meanwhile else "vastgelegd"
    raise web.HTTPSeeOther(card_url(client_id_of(request), done_code))


async def _card(request: web.Request, viewer: SignedIn, *, hold: bool = True) -> Card:
    app = request.app
    card = await open_card(app[SESSIONS], client_id_of(request), viewer, app[CLOCK](), hold=hold)
    if card is None:
        raise web.HTTPNotFound(text="Deze inwoner bestaat niet (meer).")
    return card


async def refused_card(
    request: web.Request,
    viewer: SignedIn,
    problem: str,
    form: MultiDictProxy | None = None,
) -> web.Response:
    """The card again, with what went wrong and the form as the agent filled it in."""
    card = await _card(request, viewer)
    return await _render(request, viewer, card, problem=problem, form=form, status=409)


async def _render(
    request: web.Request,
    viewer: SignedIn,
    card: Card,
    *,
    notice: str | None = None,
    problem: str | None = None,
    form: MultiDictProxy | None = None,
    status: int = 200,
) -> web.Response:
    context = _context(request, viewer, card)
    rules = await request.app[RULES].get()
    context |= {
        "notice": notice,
        "problem": problem,
        "form": form or {},
        "call_window": "dag en nacht (demo)"
        if request.app[CALENDAR].always_open
        else window_text(rules.call_window),
        "max_sms": MAX_SMS,
        "care_deadline": _care_deadline(request),
    }
    context["live"] = aiohttp_jinja2.render_string("card_live.html", request, context)
    response = aiohttp_jinja2.render_template("card.html", request, context, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _care_deadline(request: web.Request) -> date:
    """The colleague's default deadline for a care signal: two working days from today (the
    office's days, also in a demo whose contact window never closes)."""
    calendar = ContactCalendar(request.app[SETTINGS].zone)
    return calendar.add_working_days(
        calendar.local_date(request.app[CLOCK]()), DEFAULT_WORKING_DAYS
    )


def _context(request: web.Request, viewer: SignedIn, card: Card) -> dict:
    zone = request.app[SETTINGS].zone
    calling = card_text.current_call(card.timeline, viewer.email, card.call_to_wrap_up)
    suggested = card_text.SUGGESTED.get(calling.carrier_status or "") if calling else None
    return {
        "card_path": card_url(card.resident.id),
        "agent": viewer,  # the page header's "Ingelogd als"
        "calling": calling,
        "calling_text": card_text.call_progress(calling.state, calling.carrier_status)
        if calling
        else None,
        "suggested": suggested.value if suggested else None,
        "card": card,
        "viewer": viewer,
        "is_agent": viewer.role is Role.AGENT,
        "lines": [card_text.line(event, viewer.role) for event in card.timeline],
        "numbers": [
            (card_text.shown_number(n, viewer.role), card_text.number_facts(n), n)
            for n in card.numbers
        ],
        "initiatives": card_text.INITIATIVES,
        "preference": card_text.CHANNEL_PREFERENCE,
        "call_parts": PART_NAMES,
        "groups": [
            (title, [(r.value, LABELS_NL[r], SHORTCUTS.get(r)) for r in results])
            for title, results in RESULT_GROUPS
        ],
        "local": lambda moment: moment.astimezone(zone),
        "client_initiative": Initiative.CLIENT,
        "may_mark": may_mark(viewer.role),
        "may_hand_over": card.care is not None
        and may_hand_over(viewer.role, viewer.id, card.care.colleague_id),
        "care_overdue": card.care is not None
        and is_overdue(card.care.deadline, request.app[CALENDAR].local_date(request.app[CLOCK]())),
    }


def client_id_of(request: web.Request) -> int:
    return int(request.match_info["client_id"])


def follow_up_id_of(form: MultiDictProxy) -> int:
    follow_up_id = _int_or_none(form.get("follow_up"))
    if follow_up_id is None:
        raise web.HTTPBadRequest(text=INCOMPLETE)
    return follow_up_id


def _int_or_none(value: object) -> int | None:
    if value in (None, ""):
        return None
    text = str(value)
    if not text.isdigit() or len(text) > 18:
        raise web.HTTPBadRequest(text=INCOMPLETE)
    return int(text)


def _result(form: MultiDictProxy) -> WrapUpResult:
    try:
        return WrapUpResult(str(form.get("resultaat", "")))
    except ValueError:
        raise WrapUpProblem("Kies wat er uit het gesprek kwam.") from None


def _callback_at(request: web.Request, form: MultiDictProxy) -> datetime | None:
    """The date and time fields, in the municipality's time zone."""
    day, moment = str(form.get("terugbellen_datum", "")), str(form.get("terugbellen_tijd", ""))
    if not day and not moment:
        return None
    try:
        return datetime.combine(
            date.fromisoformat(day), time.fromisoformat(moment), request.app[SETTINGS].zone
        )
    except ValueError:
        raise WrapUpProblem("Vul een datum en een tijd in, bijvoorbeeld 14:30.") from None
