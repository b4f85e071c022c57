"""The simulated carrier as an aiohttp application, and a way to serve it on a real port."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from dialer.sim import api, control_routes, lookup, phone
from dialer.sim.carrier import CARRIER, SimCarrier

SHUTDOWN_SECONDS = 2.0  # held and stalled answers are let go at shutdown; nothing waits long


def create_sim_app(carrier: SimCarrier) -> web.Application:
    app = web.Application(middlewares=[api.twilio_api])
    app[CARRIER] = carrier
    app.cleanup_ctx.append(_running)
    app.on_shutdown.append(_let_answers_go)
    phone.setup_templates(app)
    for routes in (api.routes, lookup.routes, control_routes.routes, phone.routes):
        app.router.add_routes(routes)
    return app


async def _running(app: web.Application) -> AsyncIterator[None]:
    carrier = app[CARRIER]
    await carrier.start()
    yield
    await carrier.stop()


async def _let_answers_go(app: web.Application) -> None:
    """Runs before the server waits for open requests: a held answer would keep it waiting."""
    app[CARRIER].controls.close()


@asynccontextmanager
async def running_sim(
    carrier: SimCarrier, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[str]:
    """Serve the carrier; yields the base URL actually bound, e.g. http://127.0.0.1:54321."""
    runner = web.AppRunner(
        create_sim_app(carrier), access_log=None, shutdown_timeout=SHUTDOWN_SECONDS
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_port = runner.addresses[0][1]
        yield f"http://{host}:{bound_port}"
    finally:
        await runner.cleanup()
