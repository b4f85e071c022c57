"""Server-sent events for pages that follow what happens: the page gets a fragment again
each time what it shows changes. aiohttp-sse sends the keep-alive comment and notices a
closed page through it."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiohttp import web
from aiohttp_sse import EventSourceResponse

from followup.app_keys import LIVE_STREAMS
from followup.rules.domain import Role
from followup.services.sign_in import SignedIn
from followup.web.access import check_user, signed_in

LOOK_EVERY = 1.0  # seconds between looks at the database for a live page
KEEP_ALIVE = 15.0  # seconds: a comment line, so a closed page is noticed and proxies wait

Seen = TypeVar("Seen")


async def close_streams(app: web.Application) -> None:
    """Open pages would otherwise hold the server's shutdown until they are closed."""
    for task in list(app[LIVE_STREAMS]):
        task.cancel()


async def stream_changes(
    request: web.Request,
    roles: frozenset[Role],
    event: str,
    look: Callable[[SignedIn, Seen | None], Awaitable[Seen]],
    render: Callable[[SignedIn, Seen], str],
) -> web.StreamResponse:
    """`look` reads what the page shows (told what it saw last); `render` makes the fragment
    sent as `event` when that changed."""
    user = signed_in(request)
    stream = EventSourceResponse(ping_interval=KEEP_ALIVE, sep="\n")
    stream.headers["Cache-Control"] = "no-store"  # residents' data: no proxy keeps a copy
    await stream.prepare(request)
    request.app[LIVE_STREAMS].add(asyncio.current_task())
    seen = None
    try:
        async with stream:
            while stream.is_connected():
                now_seen = await look(user, seen)
                if now_seen != seen:
                    # Still signed in, and still allowed? A stream can stay open all day.
                    user = await check_user(request, roles)
                    await stream.send(render(user, now_seen), event=event)
                    seen = now_seen
                await asyncio.sleep(LOOK_EVERY)
    # Closed, or stopped reading (aiohttp-sse gives up on a send after its send_timeout), or
    # its user may no longer see it.
    except (ConnectionResetError, TimeoutError, web.HTTPException):
        pass
    return stream
