"""Which errors are a database outage (one line when it starts, one when it ends) rather
than a bug worth a traceback; and that an outage is logged once, not once per request."""

import logging
import socket
import sqlite3

import asyncpg
import pytest
from sqlalchemy import exc

from followup.outage_log import OutageLog, is_database_outage


def sqlite_error(message: str) -> exc.DBAPIError:
    return wrapped(exc.OperationalError, sqlite3.OperationalError(message))


def wrapped(cls, orig: BaseException, invalidated: bool = False) -> exc.DBAPIError:
    return cls("SELECT 1", {}, orig, connection_invalidated=invalidated)


def adapted(cause: BaseException) -> exc.DBAPIError:
    """As SQLAlchemy's asyncpg adapter raises it: an error of its own, from asyncpg's."""
    orig = Exception()
    orig.__cause__ = cause
    return wrapped(exc.DBAPIError, orig)


@pytest.mark.parametrize(
    ("error", "outage"),
    [
        (ConnectionRefusedError(), True),  # asyncpg connecting to a stopped server
        (socket.gaierror(), True),  # the host's name is unknown
        (TimeoutError(), True),
        (exc.TimeoutError(), True),  # no connection free in the pool in time
        (asyncpg.exceptions.CannotConnectNowError(), True),  # the server is starting up
        (asyncpg.exceptions.ConnectionDoesNotExistError(), True),
        (wrapped(exc.DBAPIError, Exception(), invalidated=True), True),
        # Connecting while PostgreSQL shuts down for a restart.
        (adapted(asyncpg.exceptions.CannotConnectNowError()), True),
        (adapted(asyncpg.exceptions.AdminShutdownError()), True),
        (adapted(asyncpg.exceptions.UniqueViolationError()), False),
        (wrapped(exc.InterfaceError, Exception()), True),
        (sqlite_error("database is locked"), True),
        (sqlite_error("unable to open database file"), True),
        (wrapped(exc.OperationalError, Exception("server closed the connection")), True),
        # A bug or a missing migration: a traceback is worth it.
        (sqlite_error("no such table: x"), False),
        (wrapped(exc.IntegrityError, Exception()), False),
        (wrapped(exc.ProgrammingError, Exception()), False),
        (ValueError(), False),
        (FileNotFoundError(), False),
    ],
)  # fmt: skip
def test_what_is_a_database_outage(error, outage):
    assert is_database_outage(error) is outage


def test_an_outage_is_logged_when_it_starts_and_when_it_ends(caplog):
    outage = OutageLog("database")
    with caplog.at_level(logging.WARNING, logger="followup.outage_log"):
        outage.working()  # nothing to say while it works
        for _ in range(280):
            outage.failed(ConnectionRefusedError("with a host name in it"))
        outage.working()
        outage.working()
    assert [r.getMessage() for r in caplog.records] == [
        "database unreachable (ConnectionRefusedError)",
        "database reachable again; 280 requests or jobs failed meanwhile",
    ]
    assert all(record.exc_info is None for record in caplog.records)
