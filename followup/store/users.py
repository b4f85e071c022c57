"""Staff who sign in: agents, coordinators and admins."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from followup.rules.domain import Role
from followup.store.tables import User


@dataclass(frozen=True, slots=True)
class StoredUser:
    id: int
    email: str
    role: Role
    phone: str | None  # an agent's own phone, rung first on a click-to-call
    password_hash: str
    disabled: bool


def _users() -> sa.Select:
    return sa.select(
        User.id,
        User.email,
        User.role,
        User.phone,
        User.password_hash,
        User.disabled_at.is_not(None),
    )


async def user_by_email(session: AsyncSession, email: str) -> StoredUser | None:
    row = (await session.execute(_users().where(User.email == email))).one_or_none()
    return StoredUser(*row) if row else None


async def user_by_id(session: AsyncSession, user_id: int) -> StoredUser | None:
    row = (await session.execute(_users().where(User.id == user_id))).one_or_none()
    return StoredUser(*row) if row else None


class EmailTaken(Exception):
    pass


async def insert_user(
    session: AsyncSession,
    *,
    email: str,
    role: Role,
    password_hash: str,
    phone: str | None,
    now: datetime,
) -> int:
    """The new user's id; EmailTaken when the address has a user already (the transaction
    can then only be rolled back)."""
    try:
        return await session.scalar(
            sa.insert(User)
            .values(
                email=email, role=role, password_hash=password_hash, phone=phone, created_at=now
            )
            .returning(User.id)
        )
    except IntegrityError:  # a unique key: also when added at the same moment elsewhere
        raise EmailTaken(email) from None
