"""A request id for every request, on each log line written while handling it and in the
answer's `X-Request-Id` header: a user or a proxy can quote it, and the operator finds the
lines of that one request.

A proxy's own id is kept so its log and ours line up, but only when it looks like an id: a
client can send anything in that header, and a long or odd value could break log lines,
pose as another field or fill the log.
"""

import itertools
import re
import secrets

from aiohttp import web
from aiohttp.typedefs import Handler

from followup.logs import handling_request

HEADER = "X-Request-Id"
# A UUID, with or without dashes, or a proxy's id; nothing that needs escaping anywhere, and
# at least one letter: digits alone could be a phone number, which no log line may hold.
_ACCEPTED = re.compile(r"(?=[^A-Za-z]*[A-Za-z])[A-Za-z0-9._-]{8,64}")
_REQUEST_ID = web.RequestKey("request_id", str)
# Unique, not secret: this process's random half and a count, 32 hex digits like a UUID,
# without a system call for every request.
_PROCESS = secrets.token_hex(8)
_COUNT = itertools.count()


@web.middleware
async def identify_request(request: web.Request, handler: Handler) -> web.StreamResponse:
    incoming = request.headers.get(HEADER, "")
    if not _ACCEPTED.fullmatch(incoming):
        incoming = f"{_PROCESS}{next(_COUNT):016x}"
    request[_REQUEST_ID] = incoming
    with handling_request(request[_REQUEST_ID]):
        return await handler(request)


async def answer_with_id(request: web.Request, response: web.StreamResponse) -> None:
    """Every answer: also one made from an HTTP exception, and a stream sent while the
    handler still runs."""
    if _REQUEST_ID in request:
        response.headers[HEADER] = request[_REQUEST_ID]
