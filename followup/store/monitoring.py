"""Read-only figures for /healthz and /metrics: whether the database answers, and a few
aggregates (counts only, no personal data).

These reads bypass the session on purpose. On SQLite every transaction the engine begins
is `BEGIN IMMEDIATE` (see engine.py), which takes the write lock: a health check or scrape
would then wait behind a planning pass and, worse, hold the dialer up while it counts.
A statement run straight on the driver's connection needs no lock in WAL mode. On
PostgreSQL it is an ordinary read.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from followup.rules.domain import AttemptState
from followup.store.tables import Attempt, CarrierEvent, Outcome


@dataclass(frozen=True, slots=True)
class DatabaseFigures:
    """Totals over the whole installation, as stored now."""

    carrier_events: Counter[tuple[str, str]]  # (resource, status)
    outcomes: Counter[str]  # category
    queued: Counter[str]  # channel
    due: Counter[str]  # channel: queued attempts whose moment has come
    sending: Counter[str]  # channel


async def ping(engine: AsyncEngine) -> None:
    """Raises when the database cannot be reached or does not answer."""
    await _read(engine, ["SELECT 1"])


async def failing_channels(engine: AsyncEngine) -> dict[str, datetime]:
    """The channels whose service the dialer found failing (`channel_health`), since when."""
    [rows] = await _read(
        engine,
        ["SELECT channel, failing_since FROM channel_health WHERE failing_since IS NOT NULL"],
    )
    return {channel: _utc(since) for channel, since in rows}


def _utc(value: datetime | str) -> datetime:
    """SQLite's driver gives the stored text (UTC, without zone), PostgreSQL's a datetime."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


async def database_figures(engine: AsyncEngine, now: datetime) -> DatabaseFigures:
    """Three GROUP BY counts. Their cost (say so when it matters on a large installation):
    - attempts: only `queued` and `sending` rows, found through ix_attempts_state_due_at;
      grows with the queue, not with history.
    - outcomes: every row, one per closed follow-up; small next to attempts.
    - carrier_events: every row (no index serves it), and the table only grows, about
      three rows per message sent. At millions of rows this is a sequential scan of some
      hundreds of milliseconds per scrape; scrape less often or add an index on
      (resource, status) if it shows.
    """
    in_queue = (AttemptState.QUEUED, AttemptState.SENDING)
    statements = [
        sa.select(CarrierEvent.resource, CarrierEvent.status, sa.func.count()).group_by(
            CarrierEvent.resource, CarrierEvent.status
        ),
        sa.select(Outcome.category, sa.func.count()).group_by(Outcome.category),
        sa.select(
            Attempt.state,
            Attempt.channel,
            sa.func.count(),
            sa.func.count().filter(Attempt.due_at <= now),
        )
        .where(Attempt.state.in_(in_queue))
        .group_by(Attempt.state, Attempt.channel),
    ]
    # Literal values are safe here: they are this module's enum members and a datetime.
    events, outcomes, attempts = await _read(
        engine,
        [
            str(s.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
            for s in statements
        ],
    )
    figures = DatabaseFigures(
        carrier_events=Counter({(resource, status): n for resource, status, n in events}),
        outcomes=Counter(dict(outcomes)),
        queued=Counter(),
        due=Counter(),
        sending=Counter(),
    )
    for state, channel, count, due in attempts:
        if state == AttemptState.QUEUED:
            figures.queued[channel] = count
            figures.due[channel] = due
        else:
            figures.sending[channel] = count
    return figures


async def _read(engine: AsyncEngine, statements: list[str]) -> list[list[tuple[Any, ...]]]:
    """Run each statement on the driver's connection, outside SQLAlchemy's transaction."""

    def run(connection: sa.Connection) -> list[list[tuple[Any, ...]]]:
        cursor = connection.connection.cursor()
        try:
            results = []
            for statement in statements:
                cursor.execute(statement)
                results.append([tuple(row) for row in cursor.fetchall()])
            return results
        finally:
            cursor.close()

    async with engine.connect() as connection:
        return await connection.run_sync(run)
