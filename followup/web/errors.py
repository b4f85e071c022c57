"""An unexpected error in any handler is logged without its message (`unexpected_errors`), and
answered 500 in Dutch: aiohttp's own log line would print the message whole."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from followup.outage_log import DATABASE
from followup.unexpected_errors import log_unexpected
from followup.web.metrics import route_pattern

log = logging.getLogger(__name__)
ANSWER = "Er ging iets mis aan onze kant. Probeer het later opnieuw."

# Set on a request answered despite a database error (its callback kept for later): its
# answer proves nothing about the database.
ANSWERED_WITHOUT_DATABASE = web.RequestKey("answered_without_database", bool)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def hide_error_details(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except (web.HTTPException, asyncio.CancelledError):
        raise
    except Exception as error:
        # A visitor who hung up needs no answer. The database's driver raises the same error
        # when PostgreSQL shuts down under a request: that is an outage to log.
        if isinstance(error, ConnectionResetError) and _hung_up(request):
            raise
        log_unexpected(log, error, f"on {request.method} {route_pattern(request)}")
        return web.Response(status=500, text=ANSWER)
    if (
        response.status < 500
        and not request.path.startswith("/static/")
        and not request.get(ANSWERED_WITHOUT_DATABASE)
    ):
        DATABASE.working()  # a page or webhook was served: the database answers (again)
    return response


def _hung_up(request: web.Request) -> bool:
    return request.transport is None or request.transport.is_closing()
