"""An outage logs a line when it starts and one when it ends, not a traceback per request or
job run: during a database stop, thousands of requests fail the same way, and their
tracebacks would bury everything else (and grow the log by megabytes).

Call `DATABASE.failed(error)` where a database error is caught, and `DATABASE.working()`
where work that needs the database has just succeeded. Anyone may make another
`OutageLog` for a kind of failure of their own.
"""

import logging
import socket
import sqlite3

from sqlalchemy import exc

log = logging.getLogger(__name__)


class OutageLog:
    def __init__(self, what: str) -> None:
        self.what = what
        self.failures = 0  # since the outage started; 0 while working

    def failed(self, error: BaseException) -> None:
        if self.failures == 0:
            # The type only: a driver's message can name hosts, users and values.
            log.warning("%s unreachable (%s)", self.what, _kind(error))
        self.failures += 1

    def working(self) -> None:
        if self.failures:
            log.warning(
                "%s reachable again; %d requests or jobs failed meanwhile",
                self.what,
                self.failures,
            )
            self.failures = 0


DATABASE = OutageLog("database")


def is_database_outage(error: BaseException) -> bool:
    """The database could not be reached or did not answer, as opposed to a bug, bad data or
    a missing table: worth waiting for, not worth a traceback. SQLite's "database is locked"
    counts: another writer held it too long."""
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated or isinstance(error, exc.InterfaceError):
            return True
        if isinstance(error.orig, sqlite3.OperationalError):
            return str(error.orig).startswith(_SQLITE_OUTAGES)
        # On PostgreSQL the driver's connection-level errors (shutdown, cannot connect now),
        # which SQLAlchemy's asyncpg adapter raises as its own error from asyncpg's.
        orig = error.orig
        return isinstance(error, exc.OperationalError) or (
            orig is not None
            and (
                is_database_outage(orig)
                or (orig.__cause__ is not None and is_database_outage(orig.__cause__))
            )
        )
    # Connecting, asyncpg raises ConnectionRefusedError, gaierror, TimeoutError or its own.
    outage = exc.TimeoutError | ConnectionError | socket.gaierror | TimeoutError
    return isinstance(error, outage) or (
        type(error).__module__.startswith("asyncpg") and type(error).__name__ in _ASYNCPG_OUTAGES
    )


# The driver's message is read, never logged: only these mean the file could not be used.
_SQLITE_OUTAGES = ("database is locked", "unable to open database file", "disk I/O error")
_ASYNCPG_OUTAGES = frozenset(
    {
        "ConnectionDoesNotExistError",
        "ConnectionFailureError",
        "CannotConnectNowError",
        "AdminShutdownError",
        "InterfaceError",
        "TooManyConnectionsError",
    }
)


def _kind(error: BaseException) -> str:
    cause = error.orig if isinstance(error, exc.DBAPIError) and error.orig is not None else error
    return type(cause).__name__
