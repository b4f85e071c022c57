"""The reach dashboard (`/bereik`) for coordinators and admins, and the same figures as an
Excel or CSV file. Filters come as GET parameters, so a filtered page can be bookmarked and
its download buttons carry the same filters."""

import asyncio
import re
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from followup.app_keys import CLOCK, RULES, SESSIONS, SETTINGS
from followup.rules.domain import OUTCOME_LABELS_NL, OutcomeCategory, ReportGrouping, Role
from followup.services.pacing import waiting_for_turn
from followup.services.reach_dashboard import (
    FileKind,
    FilterProblem,
    chosen_filters,
    reach_dashboard,
    report_file,
)
from followup.services.reach_report import ReportFilter
from followup.web import charts
from followup.web.access import allow, signed_in
from followup.web.outage_banner import outage_lines
from followup.web.pacing_pages import expected_start

routes = web.RouteTableDef()
PATH = "/bereik"
VIEWERS = (Role.COORDINATOR, Role.ADMIN)
# The outcomes stacked per month, bottom up, with "nog open" last; the words describe a count.
SERIES = (*(category.value for category in OutcomeCategory), "open")
SERIES_WORDS = {
    **{category.value: OUTCOME_LABELS_NL[category].lower() for category in OutcomeCategory},
    "open": "nog open",
}
# The downloads' choice of hiding small counts (`verberg`), for files that leave the team.
SUPPRESSION_CHOICES = {"": None, "5": 5, "10": 10}
MEDIA_TYPES = {
    FileKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileKind.CSV: "text/csv; charset=utf-8",
}


@routes.get(PATH)
@allow(*VIEWERS)
async def dashboard_page(request: web.Request) -> web.Response:
    app, asked = request.app, _asked(request)
    context = {"agent": signed_in(request), "asked": asked, "query": _query(asked)}
    try:
        filters = await chosen_filters(app[SESSIONS], *asked.values())
    except FilterProblem as problem:
        context |= {"problem": str(problem), "wijken": problem.wijken}
        return aiohttp_jinja2.render_template("dashboard.html", request, context, status=400)
    zone = app[SETTINGS].zone
    # Side by side, each on a connection of its own: at a million follow-ups either takes
    # a good part of the page's second.
    board, turns, outages = await asyncio.gather(
        reach_dashboard(app[SESSIONS], zone, filters),
        waiting_for_turn(app[SESSIONS], app[CLOCK]().astimezone(zone).date(), zone),
        outage_lines(app),
    )
    months = board.reports[ReportGrouping.MONTH].rows
    rules = await app[RULES].get()
    waiting = [t for t in turns.wijken if t.waiting and filters.wijk in (None, t.wijk)]
    context |= {
        "outages": outages,
        "board": board,
        "waiting": [(turn, expected_start(turn, turns.this_week)) for turn in waiting],
        "wijken": board.wijken,
        "ladder": rules.ladder,
        "learned_call_times": rules.call_times == "learned",
        "series_names": SERIES_WORDS,
        "weekday_names": charts.WEEKDAY_NAMES_NL,
        "wijk_chart": charts.reach_bars(
            [(str(row.key), row.figures.reach_rate) for row in board.by_wijk.rows]
        ),
        "month_chart": charts.stacked_columns(
            [
                (str(row.key), [(name, getattr(row.figures, name)) for name in SERIES])
                for row in months
            ],
            SERIES_WORDS,
        ),
        "heat_map": charts.heat_map(
            [(a.weekday, a.hour, a.calls, a.answered) for a in board.answers]
        ),
    }
    return aiohttp_jinja2.render_template("dashboard.html", request, context)


@routes.get(PATH + "/download.xlsx")
@allow(*VIEWERS)
async def download_xlsx(request: web.Request) -> web.Response:
    return await _download(request, FileKind.XLSX)


@routes.get(PATH + "/download.csv")
@allow(*VIEWERS)
async def download_csv(request: web.Request) -> web.Response:
    return await _download(request, FileKind.CSV)


async def _download(request: web.Request, kind: FileKind) -> web.Response:
    app, asked = request.app, _asked(request)
    try:
        filters = await chosen_filters(app[SESSIONS], *asked.values())
    except FilterProblem:
        # The page says what is wrong with the filters; a file would not.
        raise web.HTTPSeeOther(f"{PATH}?{_query(asked)}") from None
    hide = request.query.get("verberg", "")
    if hide not in SUPPRESSION_CHOICES:
        raise web.HTTPSeeOther(f"{PATH}?{_query(asked)}")
    content = await report_file(
        app[SESSIONS],
        app[SETTINGS].zone,
        filters,
        kind,
        signed_in(request),
        app[CLOCK](),
        suppress_below=SUPPRESSION_CHOICES[hide],
    )
    return web.Response(
        body=content,
        headers={
            "Content-Type": MEDIA_TYPES[kind],
            "Content-Disposition": f'attachment; filename="{_file_name(filters, kind)}"',
            "Cache-Control": "no-store",
        },
    )


def _asked(request: web.Request) -> dict[str, str | None]:
    """The filter form's fields in ReportFilter's order; an empty field is no filter."""
    return {name: request.query.get(name, "").strip() or None for name in ("van", "tot", "wijk")}


def _query(asked: dict[str, str | None]) -> str:
    return urlencode({name: value for name, value in asked.items() if value})


def _file_name(filters: ReportFilter, kind: FileKind) -> str:
    """bereik-2026-01-tot-en-met-2026-03-selwerd.xlsx: ASCII only, for every browser."""
    parts = ["bereik"]
    if filters.first_month or filters.last_month:
        parts.append(f"{filters.first_month or 'begin'}-tot-en-met-{filters.last_month or 'nu'}")
    else:
        parts.append("alle-maanden")
    if filters.wijk:
        parts.append(re.sub(r"[^a-z0-9]+", "-", filters.wijk.lower()).strip("-") or "wijk")
    return "-".join(parts) + "." + kind.value
