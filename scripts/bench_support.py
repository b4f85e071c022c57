"""What the benchmark scripts share: progress on stderr, and a scratch PostgreSQL database
of their own on the server they are given, dropped again afterwards."""

import asyncio
import functools
import os
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import asyncpg

say = functools.partial(print, file=sys.stderr, flush=True)
DEFAULT_URL = os.environ.get(
    "FOLLOWUP_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


@contextmanager
def scratch_database(server_url: str, keep: bool = False) -> Iterator[str]:
    """A new database on the server of `server_url`; yields its asyncpg SQLAlchemy URL."""
    server = urlsplit(server_url.replace("postgresql+asyncpg://", "postgresql://", 1))
    name = f"followup_bench_{secrets.token_hex(4)}"

    async def admin(statement: str) -> None:
        connection = await asyncpg.connect(server.geturl())
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield server._replace(scheme="postgresql+asyncpg", path=f"/{name}").geturl()
    finally:
        if keep:
            say(f"kept database {name}")
        else:
            asyncio.run(admin(f'DROP DATABASE "{name}" WITH (FORCE)'))
