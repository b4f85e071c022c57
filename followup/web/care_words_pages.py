"""The team's care words (`/zorgwoorden`): coordinators and admins keep the words that make a
resident's SMS stand out for an agent to check."""

import aiohttp_jinja2
from aiohttp import web

from followup.app_keys import CLOCK, SESSIONS
from followup.rules.care_words import MAX_LENGTH, MAX_WORDS, CareWordsProblem
from followup.rules.domain import Role
from followup.services.care_words import load_care_words, save_care_words
from followup.web.access import allow, signed_in

routes = web.RouteTableDef()
PATH = "/zorgwoorden"
EDITORS = (Role.COORDINATOR, Role.ADMIN)


@routes.get(PATH)
@allow(*EDITORS)
async def care_words_page(request: web.Request) -> web.Response:
    words = await load_care_words(request.app[SESSIONS])
    saved = request.query.get("opgeslagen") == "1"
    notice = "De woorden zijn opgeslagen." if saved else None
    return _render(request, "\n".join(words), notice=notice)


@routes.post(PATH)
@allow(*EDITORS)
async def save(request: web.Request) -> web.StreamResponse:
    text = str((await request.post()).get("woorden", ""))
    try:
        await save_care_words(request.app[SESSIONS], text, signed_in(request), request.app[CLOCK]())
    except CareWordsProblem as problem:
        return _render(request, text, problem=str(problem), status=400)
    raise web.HTTPSeeOther(PATH + "?opgeslagen=1")


def _render(
    request: web.Request,
    text: str,
    *,
    notice: str | None = None,
    problem: str | None = None,
    status: int = 200,
) -> web.Response:
    context = {
        "text": text,
        "notice": notice,
        "problem": problem,
        "max_words": MAX_WORDS,
        "max_length": MAX_LENGTH,
        "agent": signed_in(request),  # the page header's "Ingelogd als"
    }
    return aiohttp_jinja2.render_template("care_words.html", request, context, status=status)
