"""An unexpected error in any handler is logged without its message, and answered 500 in
Dutch. The message of a database or driver error can quote a statement's values (a phone
number, a reply's text), and aiohttp's own log line would print it whole. The frames are
kept: they say where it went wrong, and hold source code, not data."""

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable

from aiohttp import web

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
        frames = "".join(traceback.format_tb(error.__traceback__))
        log.error(
            "unexpected %s on %s %s; where:\n%s",
            type(error).__name__,
            request.method,
            route_pattern(request),
            frames,
        )
        return web.Response(status=500, text=ANSWER)
