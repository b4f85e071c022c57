"""`/tempo`, for coordinators and admins: how many new residents may begin per week, in total
and per wijk; holding and releasing a wijk; pausing and resuming a channel. Each change is
audited by the service; a refused one changes nothing and says which setting to fix."""

from collections.abc import Awaitable, Callable
from datetime import date, timedelta

import aiohttp_jinja2
from aiohttp import web

from followup.app_keys import CLOCK, SESSIONS, SETTINGS
from followup.dutch import day_and_month
from followup.rules.domain import Channel, Role
from followup.rules.pacing import MAX_WEEKLY_TEXT, PacingError
from followup.services import pacing
from followup.services.pacing import PER_WIJK_SETTING, TOTAL_SETTING, WijkTurn
from followup.web.access import allow, signed_in
from followup.web.outage_banner import outage_lines

routes = web.RouteTableDef()
PATH = "/tempo"
EDITORS = (Role.COORDINATOR, Role.ADMIN)
# `?melding=` names one of these, never text of its own.
NOTICES = {
    "aantallen": "De aantallen per week zijn opgeslagen.",
    "wijkgrens": "Het aantal per week voor de wijk is opgeslagen.",
    "vastgehouden": "De wijk wacht nu: daar beginnen geen nieuwe inwoners.",
    "vrijgegeven": "De wijk is vrijgegeven: nieuwe inwoners beginnen weer op hun beurt.",
    "gepauzeerd": "Het kanaal is gepauzeerd.",
    "hervat": "Het kanaal is hervat. Wat klaarstaat, gaat nu weg binnen de contacttijden.",
}
CHANNELS = {Channel.SMS: "Sms", Channel.EMAIL: "E-mail", Channel.CALL: "Bellen"}
# What pausing means, said before the button is pressed.
PAUSE_MEANS = {
    Channel.SMS: "er gaan geen sms'jes meer weg, ook niet vanaf de kaart van een inwoner.",
    Channel.EMAIL: "er gaan geen e-mails meer weg.",
    Channel.CALL: "er worden geen gesprekken meer gestart, ook niet vanaf de kaart van een "
    "inwoner. Een gesprek dat al loopt, gaat door.",
}
PAUSE_KEEPS = (
    "Wat klaarstaat, blijft in de wachtrij staan en gaat weg na hervatten, binnen de "
    "contacttijden. Wat al bij de provider is, gaat nog weg."
)


def week_text(week: date, this_week: date) -> str:
    if week == this_week:
        return "deze week"
    if week == this_week + timedelta(days=7):
        return "volgende week"
    return f"week van {day_and_month(week)}"


def expected_start(turn: WijkTurn, this_week: date) -> str:
    """When the wijk's waiting residents are expected to begin, in a few words."""
    if not turn.waiting:
        return "niemand wacht"
    if turn.held:
        return "pas na vrijgeven"
    if not turn.schedule:
        return "niemand: 0 per week"
    first = week_text(turn.schedule[0][0], this_week)
    if turn.last_week is None:
        return f"vanaf {first}; de laatste pas over meer dan een jaar"
    if turn.last_week == turn.schedule[0][0]:
        return first
    return f"{first} tot en met {week_text(turn.last_week, this_week)}"


async def _page(
    request: web.Request, *, error: str | None = None, typed: dict | None = None, status: int = 200
) -> web.Response:
    tempo = await pacing.tempo_overview(
        request.app[SESSIONS], request.app[CLOCK](), request.app[SETTINGS].zone
    )
    context = {
        "agent": signed_in(request),  # the header shows who is signed in
        "tempo": tempo,
        "outages": await outage_lines(request.app),
        "expected": {t.wijk: expected_start(t, tempo.turns.this_week) for t in tempo.turns.wijken},
        "channels": CHANNELS,
        "pause_means": PAUSE_MEANS,
        "pause_keeps": PAUSE_KEEPS,
        "total_setting": TOTAL_SETTING,
        "per_wijk_setting": PER_WIJK_SETTING,
        "max_weekly": MAX_WEEKLY_TEXT,
        "notice": NOTICES.get(request.query.get("melding", "")),
        "error": error,
        "typed": typed or {},
    }
    return aiohttp_jinja2.render_template("pacing.html", request, context, status=status)


@routes.get(PATH)
@allow(*EDITORS)
async def pacing_page(request: web.Request) -> web.Response:
    return await _page(request)


async def _changed(
    request: web.Request, change: Callable[[dict, dict], Awaitable[None]], notice: str
) -> web.StreamResponse:
    """Carries out a change made with the page's forms; a refused one shows the page again."""
    form = {key: str(value) for key, value in (await request.post()).items()}
    editor = signed_in(request)
    who = {"now": request.app[CLOCK](), "actor": editor.email, "user_id": editor.id}
    try:
        await change(form, who)
    except PacingError as error:
        return await _page(request, error=str(error), typed=form, status=400)
    raise web.HTTPSeeOther(f"{PATH}?melding={notice}")


@routes.post(PATH + "/aantallen")
@allow(*EDITORS)
async def set_limits(request: web.Request) -> web.StreamResponse:
    return await _changed(
        request,
        lambda form, who: pacing.set_limits(
            request.app[SESSIONS],
            total=form.get("totaal", ""),
            per_wijk=form.get("per-wijk", ""),
            **who,
        ),
        "aantallen",
    )


@routes.post(PATH + "/wijk/aantal")
@allow(*EDITORS)
async def set_wijk_limit(request: web.Request) -> web.StreamResponse:
    return await _changed(
        request,
        lambda form, who: pacing.set_wijk_limit(
            request.app[SESSIONS], form.get("wijk", ""), form.get("aantal", ""), **who
        ),
        "wijkgrens",
    )


@routes.post(PATH + "/wijk/{action:vasthouden|vrijgeven}")
@allow(*EDITORS)
async def hold_or_release(request: web.Request) -> web.StreamResponse:
    held = request.match_info["action"] == "vasthouden"
    return await _changed(
        request,
        lambda form, who: pacing.hold_wijk(
            request.app[SESSIONS], form.get("wijk", ""), held=held, **who
        ),
        "vastgehouden" if held else "vrijgegeven",
    )


@routes.post(PATH + "/kanaal/{action:pauzeren|hervatten}")
@allow(*EDITORS)
async def pause_or_resume(request: web.Request) -> web.StreamResponse:
    paused = request.match_info["action"] == "pauzeren"
    return await _changed(
        request,
        lambda form, who: pacing.pause_channel(
            request.app[SESSIONS], form.get("kanaal", ""), paused=paused, **who
        ),
        "gepauzeerd" if paused else "hervat",
    )
