"""Where log lines go and what they carry: text, or one JSON object a line
(`FOLLOWUP_LOG_FORMAT=json`) with the id of the request a line was logged for.

The request being handled is kept in a context variable, set by the web edge
(`web/request_ids.py`); this module needs no web framework, so every command can load it.
"""

import contextvars
import logging
import sys

from pythonjsonlogger.json import JsonFormatter


class handling_request:
    """Lines logged inside the block, and by work it starts, carry `request_id`.

    The object is shared by every task and callback started meanwhile (they copy the
    context). Some outlive the request, such as the scheduler's timer chain that a request
    woke: once the block ends, `id` is None and their lines no longer carry it."""

    __slots__ = ("_token", "id")

    def __init__(self, request_id: str) -> None:
        self.id: str | None = request_id

    def __enter__(self) -> None:
        self._token = _HANDLING.set(self)

    def __exit__(self, *_: object) -> None:
        self.id = None
        _HANDLING.reset(self._token)


_HANDLING: contextvars.ContextVar[handling_request | None] = contextvars.ContextVar(
    "handling", default=None
)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to a record logged while a request is handled (a log handler's
    filter: it sees the records of every logger)."""

    def filter(self, record: logging.LogRecord) -> bool:
        handling = _HANDLING.get()
        if handling is not None and handling.id is not None:
            record.request_id = handling.id
        return True


def setup_logging(log_format: str, verbose: bool) -> None:
    """Lines on stderr, in `log_format` ("text" or "json")."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(_formatter(log_format))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=[handler])
    # Alembic announces its context on every connection, APScheduler every run of a job
    # (the dispatch job runs every few seconds); only a failure is worth reading.
    for chatty in ("alembic", "apscheduler"):
        logging.getLogger(chatty).setLevel(logging.DEBUG if verbose else logging.WARNING)


def _formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return JsonFormatter(
            "{levelname}{name}{message}",
            style="{",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",  # ISO 8601, UTC
        )
    return _TextFormatter("%(asctime)s %(levelname)s %(name)s%(request)s %(message)s")


class _TextFormatter(logging.Formatter):
    """Today's lines, with `[request <id>]` after the logger's name for a line logged while a
    request was handled: the id a user quotes from a page finds its lines in text logs too."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        record.request = f" [request {request_id}]" if request_id else ""
        return super().formatMessage(record)
