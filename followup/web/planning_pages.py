"""`/planning`: coordinators and admins read and change the planning settings that
`followup planning set` changes, with the same checks and messages; each change audited."""

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from followup.app_keys import CLOCK, RULES, SESSIONS
from followup.rules.domain import Role
from followup.services.planning_settings import (
    ChangedMeanwhile,
    PlanningSettingsError,
    load_versioned_rules,
    rules_from,
    save_rules,
)
from followup.web import planning_form
from followup.web.access import allow, signed_in

routes = web.RouteTableDef()
PATH = "/planning"
CHANGED_MEANWHILE = (
    "Een collega heeft de instellingen net gewijzigd. Uw wijziging is niet opgeslagen. "
    "Hieronder staan de nieuwe instellingen: breng uw wijziging opnieuw aan."
)


@routes.get(PATH)
@allow(Role.COORDINATOR, Role.ADMIN)
async def planning_page(request: web.Request) -> web.Response:
    rules, version = await load_versioned_rules(request.app[SESSIONS])
    saved = request.query.get("opgeslagen") == "1"
    notice = "De instellingen zijn opgeslagen." if saved else None
    return _render(request, planning_form.form_of(rules), version, notice=notice)


@routes.post(PATH)
@allow(Role.COORDINATOR, Role.ADMIN)
async def save(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    settings = planning_form.settings_from(form)
    version = str(form.get("versie", ""))
    try:
        rules = rules_from(settings)
        await save_rules(
            request.app[SESSIONS],
            rules,
            now=request.app[CLOCK](),
            actor=signed_in(request).email,
            user_id=signed_in(request).id,
            on_version=version,
        )
    except PlanningSettingsError as error:
        problems = [planning_form.in_words(problem) for problem in error.problems]
        return _render(request, settings, version, problems=problems, status=400)
    except ChangedMeanwhile:
        rules, version = await load_versioned_rules(request.app[SESSIONS])
        form_now = planning_form.form_of(rules)
        return _render(request, form_now, version, problems=[CHANGED_MEANWHILE], status=409)
    request.app[RULES].forget()  # this process plans with the new rules from now on
    raise web.HTTPSeeOther(PATH + "?opgeslagen=1")


def _render(
    request: web.Request,
    settings: dict[str, Any],
    version: str,
    *,
    notice: str | None = None,
    problems: list[str] | None = None,
    status: int = 200,
) -> web.Response:
    steps = settings["ladder"][: planning_form.MAX_STEPS]
    context = {
        "s": settings,
        "steps": steps + [{"kind": "", "day": "", "part": ""}] * planning_form.NEW_STEPS,
        "version": version,
        "notice": notice,
        "problems": problems or [],
        "labels": planning_form.LABELS,
        "weekdays": planning_form.WEEKDAY_LABELS,
        "windows": planning_form.WINDOWS,
        "day_parts": planning_form.DAY_PARTS,
        "kinds": planning_form.KINDS,
        "step_parts": planning_form.STEP_PARTS,
        "agent": signed_in(request),  # the page header's "Ingelogd als"
    }
    return aiohttp_jinja2.render_template("planning.html", request, context, status=status)
