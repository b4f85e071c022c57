"""Unexpected errors are logged with their type and where they happened, never with their
message: the message of a database or driver error can quote a statement's values (a phone
number, a reply's text). The frames hold source code, not data."""

import logging
import traceback

from followup.outage_log import DATABASE, is_database_outage


def log_unexpected(log: logging.Logger, error: BaseException, context: str) -> None:
    """`context` says what was under way: "on GET /clients/{ref}", "in the planning pass".
    A database that cannot be reached is an outage: logged once when it starts."""
    if is_database_outage(error):
        DATABASE.failed(error)
        return
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error("unexpected %s %s; where:\n%s", type(error).__name__, context, frames)
