"""Real SQLite files and real PostgreSQL databases for tests.

PostgreSQL runs when FOLLOWUP_TEST_POSTGRES_URL names a server (CI always sets it, and
fails when the server cannot be reached); each test run works in databases of its own,
made here and dropped afterwards, so runs never see each other's rows.
"""

import asyncio
import os
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import asyncpg
from sqlalchemy.engine import URL, make_url

from followup.store.engine import create_engine
from followup.store.migrate import upgrade
from followup.store.schema import METADATA
from followup.store.staff_tables import AuditChainHead
from followup.store.tables import SmsTemplate

POSTGRES_ENV = "FOLLOWUP_TEST_POSTGRES_URL"


def _run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run to completion on a loop of its own, even when called from inside a test's loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def postgres_server_url() -> URL | None:
    raw = os.environ.get(POSTGRES_ENV)
    return make_url(raw).set(drivername="postgresql+asyncpg") if raw else None


async def _admin(server: URL) -> asyncpg.Connection:
    return await asyncpg.connect(
        user=server.username,
        password=server.password,
        host=server.host,
        port=server.port or 5432,
        database=server.database or "postgres",
    )


def create_postgres_database(server: URL, prefix: str = "followup_test") -> URL:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"

    async def create() -> None:
        connection = await _admin(server)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    _run(create())
    return server.set(database=name)


def drop_postgres_database(server: URL, database: URL) -> None:
    async def drop() -> None:
        connection = await _admin(server)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{database.database}" WITH (FORCE)')
        finally:
            await connection.close()

    _run(drop())


def check_postgres(server: URL) -> None:
    """Raises when the configured server cannot be used."""

    async def ping() -> None:
        connection = await _admin(server)
        await connection.close()

    _run(ping())


def migrate(url: str) -> None:
    async def run() -> None:
        engine = create_engine(url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    _run(run())


TABLES = ", ".join(t.name for t in reversed(METADATA.sorted_tables))
# Rows the migrations themselves write (the team's first SMS templates, the head of the empty
# audit chain): a migrated, empty database has them, as the SQLite template copy does.
SEEDED = (SmsTemplate.__table__, AuditChainHead.__table__)
_seeded: dict[str, dict] = {}


async def empty_postgres_tables(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            if url not in _seeded:  # the first time is right after migrating
                _seeded[url] = {t: (await connection.execute(t.select())).all() for t in SEEDED}
            seeded = _seeded[url]
            await connection.exec_driver_sql(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE")
            for table, rows in seeded.items():
                if rows:
                    await connection.execute(table.insert(), [row._asdict() for row in rows])
    finally:
        await engine.dispose()
