"""The statements a batch of status callbacks needs, each one statement for the whole batch:
lock the attempts, insert the events that are new, write the attempts' progress.

On PostgreSQL the rows travel as one array per column (`unnest`) through the driver: one
prepared statement whatever the batch size, without SQLAlchemy's cost per parameter, which
here would be most of the work. Values must then be what the columns store (plain strings
for enums, aware datetimes, JSON as text). SQLite runs in process and takes the same
statements through SQLAlchemy.
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from followup.store.tables import Attempt, CarrierEvent

ATTEMPTS = Attempt.__table__
EVENTS = CarrierEvent.__table__
# What a status report may change on its attempt, in this order in rows read and written.
PROGRESS = (
    "state",
    "carrier_status",
    "finished_at",
    "sip_response_code",
    "duration_seconds",
    "answered_by",
)
EVENT_COLUMNS = ("resource", "sid", "status", "attempt_id", "error_code", "payload", "received_at")

_INSERT_EVENTS = """
INSERT INTO carrier_events (resource, sid, status, attempt_id, error_code, payload, received_at)
SELECT resource, sid, status, attempt_id, error_code, payload::json, received_at
FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::text[],
            $7::timestamptz[]) AS e(resource, sid, status, attempt_id, error_code, payload,
                                    received_at)
ON CONFLICT DO NOTHING
RETURNING sid, status"""
_WRITE_PROGRESS = """
UPDATE attempts SET state = p.state, carrier_status = p.carrier_status,
       finished_at = p.finished_at, sip_response_code = p.sip_response_code,
       duration_seconds = p.duration_seconds, answered_by = p.answered_by
FROM unnest($1::int[], $2::text[], $3::text[], $4::timestamptz[], $5::int[], $6::int[],
            $7::text[]) AS p(id, state, carrier_status, finished_at, sip_response_code,
                             duration_seconds, answered_by)
WHERE attempts.id = p.id"""


def _postgresql(connection: AsyncConnection) -> bool:
    return connection.dialect.name == "postgresql"


def _locking(chosen: sa.ColumnElement[bool]) -> sa.Select:
    columns = ("id", "channel", "carrier_sid", "agent_leg_sid", *PROGRESS)
    return (
        sa.select(*(ATTEMPTS.c[name] for name in columns))
        .where(chosen)
        .order_by(ATTEMPTS.c.id)
        .with_for_update()
    )


# Built once: a statement made for each batch costs more to build than to run.
_LOCK = {
    # One prepared statement for any number of ids.
    "postgresql": _locking(
        ATTEMPTS.c.id == sa.any_(sa.bindparam("ids", type_=postgresql.ARRAY(sa.Integer)))
    ),
    "sqlite": _locking(ATTEMPTS.c.id.in_(sa.bindparam("ids", expanding=True))),
}


async def lock_attempts(connection: AsyncConnection, ids: Sequence[int]) -> list[sa.Row]:
    """(id, channel, carrier_sid, agent_leg_sid, *PROGRESS) of each attempt, locked in id
    order: two batches never wait for each other in a circle."""
    statement = _LOCK[connection.dialect.name]
    return list(await connection.execute(statement, {"ids": list(ids)}))


async def insert_new_events(
    connection: AsyncConnection, rows: Sequence[dict[str, Any]]
) -> set[tuple[str, str]]:
    """Insert the events (keys as EVENT_COLUMNS); the (SID, status) pairs that were new."""
    if not rows:
        return set()
    if _postgresql(connection):
        columns = [[row[name] for row in rows] for name in EVENT_COLUMNS]
        columns[5] = [json.dumps(payload) for payload in columns[5]]
        inserted = await (await _driver(connection)).fetch(_INSERT_EVENTS, *columns)
    else:
        inserted = await connection.execute(
            sqlite.insert(EVENTS).on_conflict_do_nothing().returning(EVENTS.c.sid, EVENTS.c.status),
            list(rows),
        )
    return {(sid, status) for sid, status in inserted}


async def write_progress(connection: AsyncConnection, rows: Sequence[tuple]) -> None:
    """Rows of (id, *PROGRESS), enums as their values."""
    if not rows:
        return
    if _postgresql(connection):
        await (await _driver(connection)).execute(_WRITE_PROGRESS, *zip(*rows, strict=True))
        return
    names = [f"b_{name}" for name in ("id", *PROGRESS)]
    await connection.execute(
        sa.update(ATTEMPTS)
        .where(ATTEMPTS.c.id == sa.bindparam("b_id"))
        .values({name: sa.bindparam(f"b_{name}") for name in PROGRESS}),
        [dict(zip(names, row, strict=True)) for row in rows],
    )


async def _driver(connection: AsyncConnection) -> Any:
    """The asyncpg connection under this one, inside its transaction."""
    driver = (await connection.get_raw_connection()).driver_connection
    if not driver.is_in_transaction():  # SQLAlchemy begins with the first statement
        await connection.execute(sa.text("SELECT 1"))
    return driver
