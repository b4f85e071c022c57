"""GET /healthz, for load balancers. No login: it carries aggregates only, never client data.
(/metrics is in `web/metrics_endpoint.py`.)"""

import asyncio
import logging

from aiohttp import web

from followup.app_keys import ENGINE
from followup.rules.domain import Channel
from followup.store.monitoring import failing_channels, ping
from followup.web.access import public

log = logging.getLogger(__name__)
# Short: a load balancer's own timeout is a few seconds, and a slow answer is an answer too.
PING_TIMEOUT_SECONDS = 2.0
NEVER_CACHE = {"Cache-Control": "no-store"}

routes = web.RouteTableDef()


@routes.get("/healthz", name="healthz")
@public("a load balancer asks it; it says nothing about residents")
async def healthz(request: web.Request) -> web.Response:
    try:
        async with asyncio.timeout(PING_TIMEOUT_SECONDS):
            await ping(request.app[ENGINE])
            failing = await failing_channels(request.app[ENGINE])
    except Exception as error:  # any failure means: do not send traffic here
        # The type only: a driver's message can name hosts and users.
        log.warning("health check: database unreachable (%s)", type(error).__name__)
        return web.json_response(
            {"status": "unavailable", "database": "unreachable"}, status=503, headers=NEVER_CACHE
        )
    # A failing carrier or mail server is reported, but still answered 200: this process
    # serves pages and webhooks all the same, and taking it out of the load balancer would
    # not bring the carrier back (the attempts wait in the queue meanwhile).
    services = {
        channel.value: f"failing since {failing[channel].isoformat()}"
        if channel in failing
        else "ok"
        for channel in Channel
    }
    status = "degraded" if failing else "ok"
    return web.json_response({"status": status, "database": "ok", **services}, headers=NEVER_CACHE)
