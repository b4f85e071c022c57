"""GET /metrics for Prometheus, only where the operator chose to open it: on the main port to
a bearer token (`FOLLOWUP_METRICS_TOKEN`), or on a listener of its own
(`FOLLOWUP_METRICS_PORT`, on `FOLLOWUP_METRICS_HOST`) that the operator keeps off the public
network, and then not on the main port. With neither, the main port has no /metrics: the
figures are not personal, but they are not for anyone on the internet either."""

import asyncio
import hmac
import logging
import socket
from collections.abc import AsyncIterator, Callable

from aiohttp import web
from prometheus_client import generate_latest

from followup.app_keys import CLOCK, ENGINE, METRICS, SETTINGS
from followup.store.monitoring import DatabaseFigures, database_figures
from followup.web.access import public
from followup.web.health import NEVER_CACHE

log = logging.getLogger(__name__)
# Below Prometheus' default scrape timeout of 10 s, so the HTTP figures still get through.
FIGURES_TIMEOUT_SECONDS = 5.0
# The classic text format, which every Prometheus reads (newer libraries default to 1.0.0).
TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8"
ASK_FOR_TOKEN = {"WWW-Authenticate": 'Bearer realm="metrics"', **NEVER_CACHE}

routes = web.RouteTableDef()


@routes.get("/metrics", name="metrics")
@public("a bearer token, or a port of its own kept internal; aggregates only")
async def metrics(request: web.Request) -> web.Response:
    app = request.app
    if not _token_accepted(request):
        return web.Response(status=401, text="token required", headers=ASK_FOR_TOKEN)
    figures = await _figures(app)
    app_metrics = app[METRICS]
    app_metrics.database.figures = figures
    body = generate_latest(app_metrics.registry)
    headers = {"Content-Type": TEXT_FORMAT, **NEVER_CACHE}
    return web.Response(body=body, headers=headers)


def _token_accepted(request: web.Request) -> bool:
    """Without a token configured, only the listener of its own serves this route."""
    expected = request.app[SETTINGS].metrics_token
    if expected is None:
        return True
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    # In constant time: how long a refusal takes says nothing about the token.
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), expected.encode()
    )


async def _figures(app: web.Application) -> DatabaseFigures | None:
    """None when the database does not answer in time: the scrape still reports this
    process's HTTP figures, and followup_database_up says what is missing."""
    try:
        async with asyncio.timeout(FIGURES_TIMEOUT_SECONDS):
            return await database_figures(app[ENGINE], app[CLOCK]())
    except Exception as error:
        log.warning("metrics: database figures unavailable (%s)", type(error).__name__)
        return None


def open_metrics(app: web.Application, listener: socket.socket | None) -> None:
    """/metrics on `listener` when given (bound by the caller, so a port in use is refused
    before anything starts), else on the app's own port if a token guards it."""
    if listener is not None:
        app.cleanup_ctx.append(_own_listener(listener))
    elif app[SETTINGS].metrics_token is not None:
        app.router.add_routes(routes)
    else:
        log.info("metrics: off (set FOLLOWUP_METRICS_TOKEN or FOLLOWUP_METRICS_PORT)")


def _own_listener(
    listener: socket.socket,
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def serve_metrics(app: web.Application) -> AsyncIterator[None]:
        """A second app, of this route alone, reading the main app's figures."""
        metrics_app = web.Application()
        for key in (SETTINGS, CLOCK, ENGINE, METRICS):
            metrics_app[key] = app[key]  # type: ignore[index]
        metrics_app.router.add_routes(routes)
        runner = web.AppRunner(metrics_app, access_log=None)
        await runner.setup()
        site = web.SockSite(runner, listener)
        await site.start()
        log.info("metrics: on %s/metrics", site.name)
        yield
        await runner.cleanup()

    return serve_metrics
