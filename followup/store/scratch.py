"""Scratch tables: the rows a statement will work from, written down before it runs.

An INSERT … SELECT that reads the table it writes (to skip rows already there) may, on a
table PostgreSQL believes empty, rescan everything it has just inserted for every new row:
quadratic. Selecting the source rows into a temporary table first keeps every statement
linear whatever the statistics say. Created and dropped inside the caller's transaction,
so a rollback removes them too.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

_METADATA = sa.MetaData()


def scratch_table(name: str, *columns: sa.Column) -> sa.Table:
    return sa.Table(name, _METADATA, *columns, prefixes=["TEMPORARY"])


@asynccontextmanager
async def scratch(
    session: AsyncSession, table: sa.Table, source: sa.Select | None = None
) -> AsyncIterator[sa.Table]:
    """Create `table`, fill it from `source`, and drop it when the block ends normally."""
    await session.run_sync(lambda sync: table.create(sync.connection()))
    if source is not None:
        await session.execute(sa.insert(table).from_select([c.name for c in table.c], source))
        if session.bind.dialect.name == "postgresql":
            await session.execute(sa.text(f"ANALYZE {table.name}"))  # temp tables get no autovacuum
    yield table
    await session.run_sync(lambda sync: table.drop(sync.connection()))
