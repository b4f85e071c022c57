"""`INSERT … ON CONFLICT DO NOTHING` for whichever database the session is on: the way
idempotent writes (events, settings, planning) survive a race between processes."""

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_ignoring_conflicts(session: AsyncSession, table: Any) -> Any:
    return _INSERTS[session.bind.dialect.name](table).on_conflict_do_nothing()
