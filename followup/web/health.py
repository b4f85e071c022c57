"""GET /healthz and GET /metrics, for load balancers and Prometheus, and the middlewares every
request passes (metrics, errors). No login: both endpoints carry aggregates only, never
client data (restrict /metrics at the proxy; docs/operations.md)."""

import asyncio
import logging

from aiohttp import web
from prometheus_client import generate_latest

from followup.app_keys import CLOCK, ENGINE, METRICS
from followup.store.monitoring import DatabaseFigures, database_figures, ping
from followup.web.access import public

log = logging.getLogger(__name__)
# Short: a load balancer's own timeout is a few seconds, and a slow answer is an answer too.
PING_TIMEOUT_SECONDS = 2.0
# Below Prometheus' default scrape timeout of 10 s, so the HTTP figures still get through.
FIGURES_TIMEOUT_SECONDS = 5.0
NEVER_CACHE = {"Cache-Control": "no-store"}
# The classic text format, which every Prometheus reads (newer libraries default to 1.0.0).
TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8"

routes = web.RouteTableDef()


@routes.get("/healthz", name="healthz")
@public("a load balancer asks it; it says nothing about residents")
async def healthz(request: web.Request) -> web.Response:
    try:
        async with asyncio.timeout(PING_TIMEOUT_SECONDS):
            await ping(request.app[ENGINE])
    except Exception as error:  # any failure means: do not send traffic here
        # The type only: a driver's message can name hosts and users.
        log.warning("health check: database unreachable (%s)", type(error).__name__)
        return web.json_response(
            {"status": "unavailable", "database": "unreachable"}, status=503, headers=NEVER_CACHE
        )
    return web.json_response({"status": "ok", "database": "ok"}, headers=NEVER_CACHE)


@routes.get("/metrics", name="metrics")
@public("aggregates only; restricted at the proxy (docs/operations.md)")
async def metrics(request: web.Request) -> web.Response:
    app = request.app
    figures = await _figures(app)
    app_metrics = app[METRICS]
    app_metrics.database.figures = figures
    body = generate_latest(app_metrics.registry)
    headers = {"Content-Type": TEXT_FORMAT, **NEVER_CACHE}
    return web.Response(body=body, headers=headers)


async def _figures(app: web.Application) -> DatabaseFigures | None:
    """None when the database does not answer in time: the scrape still reports this
    process's HTTP figures, and followup_database_up says what is missing."""
    try:
        async with asyncio.timeout(FIGURES_TIMEOUT_SECONDS):
            return await database_figures(app[ENGINE], app[CLOCK]())
    except Exception as error:
        log.warning("metrics: database figures unavailable (%s)", type(error).__name__)
        return None
