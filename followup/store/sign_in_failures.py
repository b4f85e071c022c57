"""Failed sign-ins, counted per typed address and per client address within a window."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.sign_in_limits import Failures
from followup.store.staff_tables import SignInFailure


async def insert_failure(session: AsyncSession, email: str, address: str, now: datetime) -> int:
    return await session.scalar(
        sa.insert(SignInFailure)
        .values(email=email, address=address, at=now)
        .returning(SignInFailure.id)
    )


async def count_failures(
    session: AsyncSession, email: str, address: str, since: datetime
) -> Failures:
    def count(chosen: sa.ColumnElement[bool]) -> sa.ScalarSelect:
        return sa.select(sa.func.count()).where(chosen, SignInFailure.at > since).scalar_subquery()

    row = (
        await session.execute(
            sa.select(count(SignInFailure.email == email), count(SignInFailure.address == address))
        )
    ).one()
    return Failures(*row)


async def delete_failure(session: AsyncSession, failure_id: int) -> None:
    await session.execute(sa.delete(SignInFailure).where(SignInFailure.id == failure_id))


async def forget_failures_of(session: AsyncSession, email: str) -> None:
    """The account signed in: its earlier mistakes count no more."""
    await session.execute(sa.delete(SignInFailure).where(SignInFailure.email == email))


async def forget_failures_before(session: AsyncSession, before: datetime) -> None:
    await session.execute(sa.delete(SignInFailure).where(SignInFailure.at < before))
