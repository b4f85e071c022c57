"""The team's SMS texts (`/belwachtrij/sjablonen`): coordinators and admins keep the short
messages agents send from a resident's card."""

import aiohttp_jinja2
from aiohttp import web

from followup.app_keys import CLOCK, SESSIONS
from followup.rules.client_messages import MAX_SMS
from followup.rules.domain import Role
from followup.services.sms_templates import (
    MAX_TEMPLATES,
    MAX_TITLE,
    TemplateProblem,
    save_templates,
    team_templates,
)
from followup.web.access import allow, signed_in

routes = web.RouteTableDef()
PATH = "/belwachtrij/sjablonen"
EDITORS = (Role.COORDINATOR, Role.ADMIN)


@routes.get(PATH)
@allow(*EDITORS)
async def template_page(request: web.Request) -> web.Response:
    rows = [(t.title, t.body) for t in await team_templates(request.app[SESSIONS])]
    saved = request.query.get("opgeslagen") == "1"
    return _render(request, rows, notice="De teksten zijn opgeslagen." if saved else None)


@routes.post(PATH)
@allow(*EDITORS)
async def save(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    titles, bodies = form.getall("naam", []), form.getall("bericht", [])
    rows = [(str(t), str(b)) for t, b in zip(titles, bodies, strict=False)]
    try:
        await save_templates(request.app[SESSIONS], rows, signed_in(request), request.app[CLOCK]())
    except TemplateProblem as problem:
        return _render(request, rows, problem=str(problem), status=400)
    raise web.HTTPSeeOther(PATH + "?opgeslagen=1")


def _render(
    request: web.Request,
    rows: list[tuple[str, str]],
    *,
    notice: str | None = None,
    problem: str | None = None,
    status: int = 200,
) -> web.Response:
    rows = rows[:MAX_TEMPLATES]
    room = [("", "")] if len(rows) < MAX_TEMPLATES else []
    context = {
        "rows": rows + room,
        "notice": notice,
        "problem": problem,
        "max_title": MAX_TITLE,
        "max_sms": MAX_SMS,
        "agent": signed_in(request),  # the page header's "Ingelogd als"
    }
    return aiohttp_jinja2.render_template("sms_templates.html", request, context, status=status)
