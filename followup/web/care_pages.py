"""The care signal on the resident's card: "Zorgsignaal" (agents and coordinators) and the
named colleague's "Overgedragen aan het WIJ-team". Thin: read the form, ask a service,
redirect to the card with a fixed text, or show the card again with what to correct."""

from datetime import date

from aiohttp import web
from multidict import MultiDictProxy

from followup.app_keys import CALENDAR, CLOCK, SESSIONS
from followup.rules.care import CareProblem
from followup.rules.domain import Role
from followup.services.care import CareForm, hand_over, mark_care
from followup.services.refusals import QueueRefusal
from followup.web.access import STAFF, allow, signed_in
from followup.web.console_pages import (
    CARD_PATH,
    card_url,
    client_id_of,
    follow_up_id_of,
    refused_card,
)

routes = web.RouteTableDef()


@routes.post(CARD_PATH + "/zorgsignaal")
@allow(Role.AGENT, Role.COORDINATOR)
async def mark(request: web.Request) -> web.StreamResponse:
    app, user = request.app, signed_in(request)
    form = await request.post()
    now = app[CLOCK]()
    try:
        done = await mark_care(
            app[SESSIONS],
            client_id_of(request),
            follow_up_id_of(form),
            CareForm(_colleague(form), _deadline(form)),
            user,
            now,
            app[CALENDAR].local_date(now),
        )
    except (CareProblem, QueueRefusal) as refusal:
        return await refused_card(request, user, str(refusal), form)
    raise web.HTTPSeeOther(card_url(client_id_of(request), done.value))


@routes.post(CARD_PATH + "/overgedragen")
@allow(*STAFF)  # the named colleague, a coordinator or an admin: the service decides
async def handed_over(request: web.Request) -> web.StreamResponse:
    app, user = request.app, signed_in(request)
    form = await request.post()
    try:
        done = await hand_over(
            app[SESSIONS], client_id_of(request), follow_up_id_of(form), user, app[CLOCK]()
        )
    except QueueRefusal as refusal:
        return await refused_card(request, user, str(refusal), form)
    raise web.HTTPSeeOther(card_url(client_id_of(request), done.value))


def _colleague(form: MultiDictProxy) -> int | None:
    text = str(form.get("collega", ""))
    return int(text) if text.isdigit() and len(text) <= 18 else None


def _deadline(form: MultiDictProxy) -> date | None:
    try:
        return date.fromisoformat(str(form.get("uiterlijk", "")))
    except ValueError:
        return None
