"""What every store module needs: `INSERT … ON CONFLICT DO NOTHING` for whichever database
the session is on (the way idempotent writes survive a race between processes), reading one
row into a value, and updating one row."""

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_ignoring_conflicts(session: AsyncSession, table: Any) -> Any:
    return _INSERTS[session.bind.dialect.name](table).on_conflict_do_nothing()


def insert_select_ignoring_conflicts(
    session: AsyncSession, table: Any, columns: Sequence[str], select: sa.Select
) -> Any:
    # SQLite reads `FROM t ON CONFLICT` as the start of a join's ON: a WHERE settles it.
    return insert_ignoring_conflicts(session, table).from_select(
        list(columns), select.where(sa.true())
    )


async def fetch_one(
    session: AsyncSession, statement: sa.Select, into: Callable[..., T]
) -> T | None:
    """The one row the statement finds, made into `into`'s value, or None."""
    row = (await session.execute(statement)).one_or_none()
    return None if row is None else into(*row)


async def update_row(session: AsyncSession, model: Any, row_id: int, **values: Any) -> None:
    await session.execute(
        sa.update(model)
        .where(model.id == row_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
