"""An unexpected error in any handler is logged without its message (`unexpected_errors`), and
answered 500 in Dutch: aiohttp's own log line would print the message whole."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from followup.unexpected_errors import log_unexpected
from followup.web.metrics import route_pattern

log = logging.getLogger(__name__)
ANSWER = "Er ging iets mis aan onze kant. Probeer het later opnieuw."

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def hide_error_details(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except (web.HTTPException, asyncio.CancelledError, ConnectionResetError):
        raise
    except Exception as error:
        log_unexpected(log, error, f"on {request.method} {route_pattern(request)}")
        return web.Response(status=500, text=ANSWER)
