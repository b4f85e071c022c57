"""`INSERT … ON CONFLICT DO NOTHING` for whichever database the session is on: the way
idempotent writes (events, settings, planning) survive a race between processes."""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

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
