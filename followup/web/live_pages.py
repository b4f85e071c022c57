"""Server-sent events for pages that follow what happens: the page gets a fragment again
each time what it shows changes. The process's one `LiveHub` looks at the database for all
open pages; each stream here only waits for its page's next fragment. aiohttp-sse sends the
keep-alive comment and notices a closed page through it."""

import asyncio
from collections.abc import Callable
from typing import Any

from aiohttp import web
from aiohttp_sse import EventSourceResponse

from followup.app_keys import LIVE_HUB, LIVE_STREAMS
from followup.rules.domain import Role
from followup.services.sign_in import SignedIn
from followup.web.access import signed_in
from followup.web.live_hub import PageClosed

KEEP_ALIVE = 15.0  # seconds: a comment line, so a closed page is noticed and proxies wait
CHECK_OPEN_EVERY = 1.0  # seconds: how soon a stream notices its page was closed


async def close_streams(app: web.Application) -> None:
    """Open pages would otherwise hold the server's shutdown until they are closed."""
    for task in list(app[LIVE_STREAMS]):
        task.cancel()


async def stream_changes(
    request: web.Request,
    roles: frozenset[Role],
    event: str,
    render: Callable[[SignedIn, Any], str],
    *,
    card_of: int | None = None,
) -> web.StreamResponse:
    """The queue page's stream, or with `card_of` the stream of that resident's card.
    `render` makes the fragment sent as `event` from what the page shows (the agent's
    queue, or the card), for the user as they are now. It stops when the user may no longer
    see the page."""
    stream = EventSourceResponse(ping_interval=KEEP_ALIVE, sep="\n")
    stream.headers["Cache-Control"] = "no-store"  # residents' data: no proxy keeps a copy
    await stream.prepare(request)
    request.app[LIVE_STREAMS].add(asyncio.current_task())
    hub = request.app[LIVE_HUB]
    page = hub.open(request, signed_in(request), roles, card_of, render)
    try:
        async with stream:
            # A page closed is noticed within a second (its connection), or at the latest
            # at the next keep-alive (a proxy's connection that stays).
            while stream.is_connected() and request.transport is not None:
                if fragment := await page.next_fragment(CHECK_OPEN_EVERY):
                    await stream.send(fragment, event=event)
    # Closed, or stopped reading (aiohttp-sse gives up on a send after its send_timeout), or
    # its user may no longer see it.
    except (ConnectionResetError, TimeoutError, PageClosed):
        pass
    finally:
        hub.close(page)
    return stream
