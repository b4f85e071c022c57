"""`/beheer/audit`, for admins: the audit trail, filtered on period, kind of action, who and
which resident, newest first, a page at a time (keyset on the sequence number, so the
thousandth page costs what the first does), and whether the chain is whole. Checking the
chain reads every record (seconds at a million), so it runs when an admin asks, and the page
shows the last result."""

from datetime import datetime
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from followup.app_keys import CLOCK, SESSIONS, SETTINGS
from followup.rules.audit_chain import BREAK_LABELS_NL, BreakKind
from followup.rules.audit_filter import AuditFilter, AuditFilterError, parse_cursor, parse_filter
from followup.rules.domain import Role
from followup.services.audit_trail import read_trail
from followup.services.audit_verify import last_check, verify_and_remember
from followup.web.access import allow, signed_in
from followup.web.admin_pages import ADMIN_PATH, AUDIT_LABELS

routes = web.RouteTableDef()
PATH = ADMIN_PATH + "/audit"


@routes.get(PATH)
@allow(Role.ADMIN)
async def audit_page(request: web.Request) -> web.Response:
    app = request.app
    context = {
        "agent": signed_in(request),
        "labels": AUDIT_LABELS,
        "asked": request.query,
        "zone": app[SETTINGS].zone,
        "check": _check_text(await last_check(app[SESSIONS]), app[SETTINGS].zone),
    }
    try:
        wanted = parse_filter(request.query)
        before = parse_cursor(request.query.get("voor", ""))
    except AuditFilterError as error:
        context["error"] = str(error)
        return aiohttp_jinja2.render_template("audit.html", request, context, status=400)
    trail = await read_trail(
        app[SESSIONS], wanted, before, app[SETTINGS].zone, signed_in(request), app[CLOCK]()
    )
    context |= {"trail": trail, "older": _older_link(wanted, trail.older), "filtered": wanted}
    return aiohttp_jinja2.render_template("audit.html", request, context)


@routes.post(PATH + "/controleren")
@allow(Role.ADMIN)
async def check_chain(request: web.Request) -> web.StreamResponse:
    await verify_and_remember(request.app[SESSIONS], request.app[CLOCK]())
    raise web.HTTPSeeOther(PATH)


def _older_link(wanted: AuditFilter, older: int | None) -> str | None:
    return f"{PATH}?{urlencode({**wanted.as_query(), 'voor': older})}" if older else None


def _check_text(check: dict | None, zone) -> tuple[bool | None, str]:
    """(whole, in words) of the last check; (None, …) before the first."""
    if check is None:
        return None, "De controlelijst is nog niet gecontroleerd."
    when = datetime.fromisoformat(check["checked_at"]).astimezone(zone)
    at = f"Gecontroleerd op {when:%d-%m-%Y} om {when:%H:%M}"
    if check["whole"]:
        return True, f"{at}: de controlelijst is heel ({check['records']} regels)."
    broken = check["first_broken"]
    what = BREAK_LABELS_NL[BreakKind(broken["kind"])]
    return False, f"{at}: de controlelijst is gebroken bij regel {broken['seq']}: {what}."
