"""The response page residents open from the link in our e-mail: the same answers as by SMS,
no login, usable on a phone, in plain Dutch. It shows nothing about the resident, so a
forwarded link reveals nobody."""

import aiohttp_jinja2
from aiohttp import web

from followup.app_keys import CALENDAR, CLOCK, RULES, SECRET_KEY, SESSIONS, SETTINGS
from followup.rules.call_parts import PART_NAMES, offered_parts
from followup.rules.response_links import Expired, Invalid, read_token
from followup.rules.sms_replies import ANSWER_CHOICES
from followup.services.replies import answer_by_link, call_part_by_link, link_is_open
from followup.web.access import public

routes = web.RouteTableDef()

# The link is the only key: keep it out of caches, other sites' logs and search engines.
PRIVATE = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}


def _page(
    request: web.Request, title: str, *lines: str, status: int = 200, choices=None, parts=None
):
    response = aiohttp_jinja2.render_template(
        "response.html",
        request,
        {
            "title": title,
            "lines": lines,
            "choices": choices,
            "parts": parts,
            "parts_url": request.app.router["response_call_part"].url_for(**request.match_info),
            "team_number": request.app[SETTINGS].team_number,
        },
        status=status,
    )
    response.headers.update(PRIVATE)
    return response


def _follow_up_id(request: web.Request) -> int | web.Response:
    """The link's follow-up, or the page that says why the link cannot be used."""
    app = request.app
    today = app[SETTINGS].local_date(app[CLOCK]())
    try:
        return read_token(app[SECRET_KEY], request.match_info["token"], today)
    except Expired:
        return _page(
            request,
            "Deze link is verlopen",
            "U kunt ons nog wel een sms sturen, of de gemeente bellen.",
            status=410,
        )
    except Invalid:
        return _page(
            request,
            "Deze link klopt niet",
            "Kijk of u de hele link uit de e-mail heeft gebruikt.",
            status=404,
        )


def _already_answered(request: web.Request) -> web.Response:
    return _page(request, "U heeft al geantwoord", "Dank u wel. U hoeft niets meer te doen.")


@routes.get("/antwoord/{token}", name="response_form")
@public("the signed link in the URL is the resident's key")
async def response_form(request: web.Request) -> web.Response:
    follow_up_id = _follow_up_id(request)
    if isinstance(follow_up_id, web.Response):
        return follow_up_id
    if not await link_is_open(request.app[SESSIONS], follow_up_id):
        return _already_answered(request)
    return _page(
        request,
        "Hoe gaat het met u?",
        "Een tijd geleden sprak u met ons over wat u zelf wilde gaan doen. "
        "We willen graag weten hoe het nu gaat.",
        choices=[(value, label) for value, (label, _) in ANSWER_CHOICES.items()],
        parts=offered_parts(await request.app[RULES].get()).items(),
    )


@routes.post("/antwoord/{token}")
@public("the signed link in the URL is the resident's key")
async def response_answer(request: web.Request) -> web.Response:
    follow_up_id = _follow_up_id(request)
    if isinstance(follow_up_id, web.Response):
        return follow_up_id
    choice = ANSWER_CHOICES.get((await request.post()).get("keuze", ""))
    if choice is None:
        raise web.HTTPSeeOther(request.app.router["response_form"].url_for(**request.match_info))
    confirmation = await answer_by_link(
        request.app[SESSIONS], follow_up_id, choice[1], request.app[CLOCK]()
    )
    if confirmation is None:
        return _already_answered(request)
    return _page(request, "Dank u wel", confirmation)


@routes.post("/antwoord/{token}/beltijd", name="response_call_part")
@public("the signed link in the URL is the resident's key")
async def response_call_part(request: web.Request) -> web.Response:
    """The part of the day to be called in. Any of the three is taken, like by SMS: one the
    page does not offer moves into the call window, and the answer says when."""
    follow_up_id = _follow_up_id(request)
    if isinstance(follow_up_id, web.Response):
        return follow_up_id
    part = (await request.post()).get("dagdeel", "")
    if part not in PART_NAMES:
        return _page(
            request,
            "Dit moment kunt u niet kiezen",
            "Kies de ochtend, de middag of de avond.",
            status=400,
        )
    app = request.app
    confirmation = await call_part_by_link(
        app[SESSIONS], follow_up_id, part, app[CLOCK](), app[CALENDAR]
    )
    if confirmation is None:
        return _already_answered(request)
    return _page(request, "Dank u wel", confirmation)
