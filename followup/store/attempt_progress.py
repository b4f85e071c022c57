"""Attempts as the rules of their life see them (`rules.attempt.AttemptProgress`): locked and
read for a batch of carrier reports or send results, and written back, each in one statement
for the whole batch, plus the batch's carrier events.

On PostgreSQL the rows travel as one array per column (`unnest`): one statement whatever the
batch size. A batch's events and progress are statements of the driver's own text, run
through SQLAlchemy's connection (its errors, parameters hidden) without a statement to build
for each batch, which for the many batches of one or two would cost more than they do.
Values must then be what the columns store (plain strings for enums, aware datetimes, JSON
as text). SQLite runs in process and takes SQLAlchemy's statements.
"""

import json
from collections.abc import Collection, Sequence
from dataclasses import fields
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from followup.rules.attempt import CHANGING, AttemptProgress
from followup.store.tables import Attempt, CarrierEvent
from followup.store.types import UTCDateTime

ATTEMPTS = Attempt.__table__
EVENTS = CarrierEvent.__table__
EVENT_COLUMNS = ("resource", "sid", "status", "attempt_id", "error_code", "payload", "received_at")
_READ = [field.name for field in fields(AttemptProgress)]


_INSERT_EVENTS = """
INSERT INTO carrier_events (resource, sid, status, attempt_id, error_code, payload, received_at)
SELECT resource, sid, status, attempt_id, error_code, payload::json, received_at
FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::text[],
            $7::timestamptz[]) AS e(resource, sid, status, attempt_id, error_code, payload,
                                    received_at)
ON CONFLICT DO NOTHING
RETURNING sid, status"""


def _array_type(name: str) -> str:
    """The PostgreSQL array type of a column's values, for `unnest`."""
    kind = ATTEMPTS.c[name].type
    if isinstance(kind, sa.Integer):
        return "int"
    return "timestamptz" if isinstance(kind, UTCDateTime) else "text"


_WRITE_PROGRESS = (
    f"UPDATE attempts SET {', '.join(f'{name} = p.{name}' for name in CHANGING)} "
    f"FROM unnest($1::int[], "
    f"{', '.join(f'${i}::{_array_type(name)}[]' for i, name in enumerate(CHANGING, start=2))}) "
    f"AS p(id, {', '.join(CHANGING)}) WHERE attempts.id = p.id"
)


def _locking(chosen: sa.ColumnElement[bool]) -> sa.Select:
    return (
        sa.select(*(ATTEMPTS.c[name] for name in _READ))
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


async def lock_attempts(
    connection: AsyncConnection, ids: Collection[int]
) -> dict[int, AttemptProgress]:
    """These attempts, locked in id order for the transaction: two batches never wait for
    each other in a circle."""
    if not ids:
        return {}
    rows = await connection.execute(_LOCK[connection.dialect.name], {"ids": sorted(ids)})
    return {row.id: AttemptProgress(**row._mapping) for row in rows}


async def attempts_by_sid(
    connection: AsyncConnection, sids: Collection[tuple[bool, str]]
) -> dict[tuple[bool, str], int]:
    """The attempts that have these SIDs, each asked as (about the agent's leg, SID): an
    agent's leg is under `agent_leg_sid`, anything else under `carrier_sid`."""
    found: dict[tuple[bool, str], int] = {}
    for agent, column in ((True, ATTEMPTS.c.agent_leg_sid), (False, ATTEMPTS.c.carrier_sid)):
        wanted = {sid for about_agent, sid in sids if about_agent is agent}
        if wanted:
            rows = await connection.execute(
                sa.select(column, ATTEMPTS.c.id).where(column.in_(wanted))
            )
            found.update(((agent, sid), attempt_id) for sid, attempt_id in rows)
    return found


async def insert_new_events(
    connection: AsyncConnection, rows: Sequence[dict[str, Any]]
) -> set[tuple[str, str]]:
    """Insert the events (keys as EVENT_COLUMNS); the (SID, status) pairs that were new."""
    if not rows:
        return set()
    if connection.dialect.name == "postgresql":
        columns = [[row[name] for row in rows] for name in EVENT_COLUMNS]
        columns[5] = [json.dumps(payload) for payload in columns[5]]
        inserted = await connection.exec_driver_sql(_INSERT_EVENTS, tuple(columns))
    else:
        inserted = await connection.execute(
            sqlite.insert(EVENTS).on_conflict_do_nothing().returning(EVENTS.c.sid, EVENTS.c.status),
            list(rows),
        )
    return {(sid, status) for sid, status in inserted}


async def write_progress(
    connection: AsyncConnection, attempts: Collection[AttemptProgress]
) -> None:
    """Store what changed in an attempt's life (the `CHANGING` fields). A status callback
    that arrives alone is a batch of one: on PostgreSQL the statement is the driver's own
    text, one prepared statement, with no statement for SQLAlchemy to build each time."""
    rows = [
        {"id": a.id, **{name: _stored(getattr(a, name)) for name in CHANGING}} for a in attempts
    ]
    if rows and connection.dialect.name == "postgresql":
        columns = tuple([row[name] for row in rows] for name in ("id", *CHANGING))
        await connection.exec_driver_sql(_WRITE_PROGRESS, columns)
    else:
        await update_attempts(connection, rows)


async def update_attempts(
    executor: AsyncConnection | AsyncSession,
    rows: Sequence[dict[str, Any]],
    *conditions: sa.ColumnElement[bool],
    **common: Any,
) -> None:
    """Update many attempts, each with values of its own (and those in `common`, plain
    values or SQL expressions, for all). PostgreSQL takes them in one statement, joined to
    one array per column (`unnest`): an executemany would cost it a statement per row, and
    a VALUES list a fresh SQL text per batch. SQLite runs in process and takes the
    executemany."""
    if not rows:
        return
    keys = [key for key in rows[0] if key != "id"]
    dialect = executor.bind.dialect if isinstance(executor, AsyncSession) else executor.dialect
    if dialect.name == "postgresql":
        columns = ["id", *keys]
        changed = (
            sa.func.unnest(
                *(
                    sa.bindparam(f"b_{key}", [row[key] for row in rows], type_=_array_of(key))
                    for key in columns
                )
            )
            .table_valued(*columns)
            .render_derived(name="changed")
        )
        await executor.execute(
            sa.update(ATTEMPTS)
            .where(ATTEMPTS.c.id == changed.c.id, *conditions)
            .values({**{key: changed.c[key] for key in keys}, **common})
        )
        return
    await executor.execute(
        sa.update(ATTEMPTS)
        .where(ATTEMPTS.c.id == sa.bindparam("b_id"), *conditions)
        .values({**{key: sa.bindparam(f"b_{key}") for key in keys}, **common}),
        [{"b_id": row["id"], **{f"b_{k}": row[k] for k in keys}} for row in rows],
    )


def _array_of(column: str) -> postgresql.ARRAY:
    """The column's values as one PostgreSQL array, without SQLAlchemy's processing of each
    element: enums go as their text, datetimes aware."""
    kind = ATTEMPTS.c[column].type
    if isinstance(kind, sa.Integer):
        return postgresql.ARRAY(sa.Integer())
    if isinstance(kind, UTCDateTime):
        return postgresql.ARRAY(sa.DateTime(timezone=True))
    return postgresql.ARRAY(sa.String())


def _stored(value: Any) -> Any:
    """Enum members as the text the column stores."""
    return getattr(value, "value", value)
