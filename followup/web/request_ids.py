"""A request id for every request, on each log line written while handling it and in the
answer's `X-Request-Id` header: a user or a proxy can quote it, and the operator finds the
lines of that one request.

A proxy's own id is kept so its log and ours line up, but only when it looks like an id: a
client can send anything in that header, and a long or odd value could break log lines,
pose as another field or fill the log.
"""

import contextvars
import logging
import re
import uuid

from aiohttp import web
from aiohttp.typedefs import Handler

HEADER = "X-Request-Id"
# A UUID, with or without dashes, or a proxy's id; nothing that needs escaping anywhere.
_ACCEPTED = re.compile(r"[A-Za-z0-9._-]{8,64}")
_REQUEST_ID = web.RequestKey("request_id", str)


class _Handling:
    """The request being handled, shared by every task and callback started meanwhile (they
    copy the context). Some outlive it, such as the scheduler's timer chain that a request
    woke: once the request is answered, `id` is None and their lines no longer carry it."""

    __slots__ = ("id",)

    def __init__(self, request_id: str) -> None:
        self.id: str | None = request_id


_HANDLING: contextvars.ContextVar[_Handling | None] = contextvars.ContextVar(
    "handling", default=None
)


@web.middleware
async def identify_request(request: web.Request, handler: Handler) -> web.StreamResponse:
    incoming = request.headers.get(HEADER, "")
    request[_REQUEST_ID] = incoming if _ACCEPTED.fullmatch(incoming) else uuid.uuid4().hex
    handling = _Handling(request[_REQUEST_ID])
    token = _HANDLING.set(handling)
    try:
        return await handler(request)
    finally:
        handling.id = None
        _HANDLING.reset(token)


async def answer_with_id(request: web.Request, response: web.StreamResponse) -> None:
    """Every answer: also one made from an HTTP exception, and a stream sent while the
    handler still runs."""
    if _REQUEST_ID in request:
        response.headers[HEADER] = request[_REQUEST_ID]


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to a record logged while a request is handled (a log handler's
    filter: it sees the records of every logger)."""

    def filter(self, record: logging.LogRecord) -> bool:
        handling = _HANDLING.get()
        if handling is not None and handling.id is not None:
            record.request_id = handling.id
        return True
